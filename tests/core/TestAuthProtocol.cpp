#include "Account.h"
#include "AuthError.h"
#include "AuthorizationRequest.h"
#include "OidcConfiguration.h"
#include "Pkce.h"
#include "TokenResponse.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <QUrlQuery>

namespace {
QByteArray b64url(const QByteArray& data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray unsignedJwt(const QJsonObject& claims)
{
    return b64url(R"({"alg":"RS256","typ":"JWT"})") + '.' + b64url(QJsonDocument(claims).toJson()) + ".c2ln";
}

const QString kClient = QStringLiteral("8c3791a0-3f69-437d-9f93-53f516aafdb3");
} // namespace

// PKCE, URL building, token-response parsing and error mapping: the protocol pieces, without a network.
class TestAuthProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pkceMatchesRfc7636Example();
    void pkceGeneratesFreshUrlSafeValues();
    void authorizeUrlCarriesEveryParameter();
    void authorizeUrlEncodesAwkwardValues();
    void scopesNameTheCloudsGraph();
    void claimsMergeCapabilityAndChallenge();
    void formEncodingEscapesPlusAndSlash();
    void discoveryUrlAndParsing();
    void discoveryRejectsInsecureEndpoints();
    void tokenResponseParses();
    void tokenResponseRejectsGarbage_data();
    void tokenResponseRejectsGarbage();
    void accountFromIdTokenAndClientInfo();
    void accountRejectsWrongNonceAndAudience();
    void errorMapping_data();
    void errorMapping();
    void roleNames();
};

void TestAuthProtocol::pkceMatchesRfc7636Example()
{
    // RFC 7636 appendix B.
    QCOMPARE(Pkce::challengeFor("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
             QByteArray("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
}

void TestAuthProtocol::pkceGeneratesFreshUrlSafeValues()
{
    const Pkce a = Pkce::generate();
    const Pkce b = Pkce::generate();
    QVERIFY(a.verifier != b.verifier);
    QVERIFY(a.verifier.size() >= 43 && a.verifier.size() <= 128);
    static const QRegularExpression unreserved(QStringLiteral("^[A-Za-z0-9._~-]+$"));
    QVERIFY(unreserved.match(QString::fromLatin1(a.verifier)).hasMatch());
    QCOMPARE(a.challenge, Pkce::challengeFor(a.verifier));
    QCOMPARE(Pkce::randomUrlSafe(24).size(), 32);
}

void TestAuthProtocol::authorizeUrlCarriesEveryParameter()
{
    AuthorizationRequest request;
    request.authorizationEndpoint =
        QUrl(QStringLiteral("https://login.microsoftonline.com/contoso.test/oauth2/v2.0/authorize"));
    request.clientId = kClient;
    request.redirectUri = QUrl(QStringLiteral("http://127.0.0.1:51234"));
    request.scopes = signInScopes(QUrl(QStringLiteral("https://graph.microsoft.com")));
    request.state = "st4te";
    request.nonce = "n0nce";
    request.codeChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    request.loginHint = QStringLiteral("helpdesk@contoso.test");
    request.claims = clientCapabilityClaims({});
    const QUrl url = request.url();
    QCOMPARE(url.host(), QStringLiteral("login.microsoftonline.com"));
    QCOMPARE(url.path(), QStringLiteral("/contoso.test/oauth2/v2.0/authorize"));
    const QUrlQuery query(url);
    const auto value = [&](const char* name) {
        return query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
    };
    QCOMPARE(value("client_id"), kClient);
    QCOMPARE(value("response_type"), QStringLiteral("code"));
    QCOMPARE(value("redirect_uri"), QStringLiteral("http://127.0.0.1:51234"));
    QCOMPARE(value("scope"), QStringLiteral("openid profile offline_access https://graph.microsoft.com/User.Read.All "
                                            "https://graph.microsoft.com/User.RevokeSessions.All"));
    QCOMPARE(value("state"), QStringLiteral("st4te"));
    QCOMPARE(value("nonce"), QStringLiteral("n0nce"));
    QCOMPARE(value("code_challenge"), QStringLiteral("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    QCOMPARE(value("code_challenge_method"), QStringLiteral("S256"));
    QCOMPARE(value("prompt"), QStringLiteral("select_account"));
    QCOMPARE(value("login_hint"), QStringLiteral("helpdesk@contoso.test"));
    QCOMPARE(QJsonDocument::fromJson(value("claims").toUtf8()).object(),
             QJsonDocument::fromJson(R"({"access_token":{"xms_cc":{"values":["cp1"]}}})").object());
}

void TestAuthProtocol::authorizeUrlEncodesAwkwardValues()
{
    AuthorizationRequest request;
    request.authorizationEndpoint = QUrl(QStringLiteral("http://127.0.0.1:9/t/oauth2/v2.0/authorize"));
    request.clientId = kClient;
    request.redirectUri = QUrl(QStringLiteral("http://127.0.0.1:9"));
    request.loginHint = QStringLiteral("o'brien+test&x=y@contoso.test");
    request.selectAccount = false;
    const QString encoded = request.url().toString(QUrl::FullyEncoded);
    QVERIFY2(encoded.contains(QStringLiteral("login_hint=o%27brien%2Btest%26x%3Dy%40contoso.test")),
             qPrintable(encoded));
    QVERIFY(!encoded.contains(QStringLiteral("prompt=")));
    QCOMPARE(QUrlQuery(request.url()).queryItemValue(QStringLiteral("login_hint"), QUrl::FullyDecoded),
             request.loginHint);
}

void TestAuthProtocol::scopesNameTheCloudsGraph()
{
    QCOMPARE(signInScopes(QUrl(QStringLiteral("https://graph.microsoft.us"))).last(),
             QStringLiteral("https://graph.microsoft.us/User.RevokeSessions.All"));
    QCOMPARE(signInScopes(QUrl(QStringLiteral("http://127.0.0.1:8400/"))).at(3),
             QStringLiteral("http://127.0.0.1:8400/User.Read.All"));
}

void TestAuthProtocol::claimsMergeCapabilityAndChallenge()
{
    const QByteArray merged =
        clientCapabilityClaims(R"({"access_token":{"nbf":{"essential":true,"value":"1700000000"}}})");
    const QJsonObject token = QJsonDocument::fromJson(merged).object().value(QLatin1String("access_token")).toObject();
    QCOMPARE(
        token.value(QLatin1String("xms_cc")).toObject().value(QLatin1String("values")).toArray().first().toString(),
        QStringLiteral("cp1"));
    QCOMPARE(token.value(QLatin1String("nbf")).toObject().value(QLatin1String("value")).toString(),
             QStringLiteral("1700000000"));
}

void TestAuthProtocol::formEncodingEscapesPlusAndSlash()
{
    QCOMPARE(formEncode({{QStringLiteral("code"), QStringLiteral("0.AX+a/b=c&d e")},
                         {QStringLiteral("x"), QStringLiteral("ü")}}),
             QByteArray("code=0.AX%2Ba%2Fb%3Dc%26d%20e&x=%C3%BC"));
}

void TestAuthProtocol::discoveryUrlAndParsing()
{
    QCOMPARE(OidcConfiguration::discoveryUrl(QUrl(QStringLiteral("http://127.0.0.1:8400/contoso.test"))).toString(),
             QStringLiteral("http://127.0.0.1:8400/contoso.test/v2.0/.well-known/openid-configuration"));
    AuthError error;
    const OidcConfiguration config = OidcConfiguration::parse(
        R"({"authorization_endpoint":"https://login.microsoftonline.com/t/oauth2/v2.0/authorize",
            "token_endpoint":"https://login.microsoftonline.com/t/oauth2/v2.0/token",
            "issuer":"https://login.microsoftonline.com/t/v2.0","msgraph_host":"graph.microsoft.com"})",
        &error);
    QVERIFY2(!error.isError(), qPrintable(error.message));
    QCOMPARE(config.tokenEndpoint.path(), QStringLiteral("/t/oauth2/v2.0/token"));
    QCOMPARE(config.msgraphHost, QStringLiteral("graph.microsoft.com"));

    OidcConfiguration::parse("<html>", &error);
    QCOMPARE(error.kind, AuthError::Kind::Configuration);
    OidcConfiguration::parse(R"({"authorization_endpoint":"https://a.test/x"})", &error);
    QCOMPARE(error.kind, AuthError::Kind::Configuration);
}

void TestAuthProtocol::discoveryRejectsInsecureEndpoints()
{
    AuthError error;
    OidcConfiguration::parse(R"({"authorization_endpoint":"http://evil.test/authorize",
                                 "token_endpoint":"https://login.test/token"})",
                             &error);
    QCOMPARE(error.kind, AuthError::Kind::Configuration);
    QVERIFY2(error.message.contains(QStringLiteral("HTTPS")), qPrintable(error.message));
    OidcConfiguration::parse(R"({"authorization_endpoint":"http://127.0.0.1:5/authorize",
                                 "token_endpoint":"http://localhost:5/token"})",
                             &error);
    QVERIFY(!error.isError());
}

void TestAuthProtocol::tokenResponseParses()
{
    const QDateTime now = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
    AuthError error;
    const TokenResponse response = TokenResponse::parse(
        R"({"token_type":"Bearer","scope":"https://graph.microsoft.com/User.Read.All","expires_in":4163,
            "ext_expires_in":4163,"access_token":"at.x.y","refresh_token":"rt","id_token":"a.b.c","client_info":"eyJ9"})",
        now, &error);
    QVERIFY2(!error.isError(), qPrintable(error.message));
    QCOMPARE(response.accessToken, QByteArray("at.x.y"));
    QCOMPARE(response.refreshToken, QByteArray("rt"));
    QCOMPARE(response.expiresAt, now.addSecs(4163));
    QCOMPARE(response.clientInfo, QByteArray("eyJ9"));
}

void TestAuthProtocol::tokenResponseRejectsGarbage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("not json") << QByteArray("<html>oops</html>");
    QTest::newRow("truncated") << QByteArray(R"({"token_type":"Bearer","access_tok)");
    QTest::newRow("array") << QByteArray("[1,2]");
    QTest::newRow("no access token") << QByteArray(R"({"token_type":"Bearer","expires_in":3600})");
    QTest::newRow("no lifetime") << QByteArray(R"({"token_type":"Bearer","access_token":"x"})");
    QTest::newRow("not bearer") << QByteArray(R"({"token_type":"pop","access_token":"x","expires_in":3600})");
}

void TestAuthProtocol::tokenResponseRejectsGarbage()
{
    QFETCH(QByteArray, body);
    AuthError error;
    TokenResponse::parse(body, QDateTime::currentDateTimeUtc(), &error);
    QCOMPARE(error.kind, AuthError::Kind::Parse);
    QVERIFY(!error.message.isEmpty());
}

void TestAuthProtocol::accountFromIdTokenAndClientInfo()
{
    TokenResponse response;
    response.idToken = unsignedJwt({{QStringLiteral("aud"), kClient},
                                    {QStringLiteral("nonce"), QStringLiteral("n1")},
                                    {QStringLiteral("name"), QStringLiteral("Helen Desk")},
                                    {QStringLiteral("preferred_username"), QStringLiteral("helpdesk@contoso.test")},
                                    {QStringLiteral("oid"), QStringLiteral("oid-1")},
                                    {QStringLiteral("tid"), QStringLiteral("tid-1")}});
    response.clientInfo = b64url(R"({"uid":"oid-1","utid":"tid-1"})");
    response.accessToken =
        unsignedJwt({{QStringLiteral("wids"), QJsonArray{QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8")}}});
    AuthError error;
    const Account account = response.account(kClient, "n1", &error);
    QVERIFY2(!error.isError(), qPrintable(error.message));
    QCOMPARE(account.homeAccountId, QStringLiteral("oid-1.tid-1"));
    QCOMPARE(account.username, QStringLiteral("helpdesk@contoso.test"));
    QCOMPARE(account.name, QStringLiteral("Helen Desk"));
    QCOMPARE(directoryRoleNames(account.roleTemplateIds), QStringList{QStringLiteral("Helpdesk Administrator")});
    QCOMPARE(Account::fromJson(account.toJson()), account);
}

void TestAuthProtocol::accountRejectsWrongNonceAndAudience()
{
    TokenResponse response;
    response.idToken = unsignedJwt({{QStringLiteral("aud"), kClient},
                                    {QStringLiteral("nonce"), QStringLiteral("n1")},
                                    {QStringLiteral("preferred_username"), QStringLiteral("a@contoso.test")},
                                    {QStringLiteral("oid"), QStringLiteral("o")},
                                    {QStringLiteral("tid"), QStringLiteral("t")}});
    AuthError error;
    response.account(kClient, "other", &error);
    QCOMPARE(error.kind, AuthError::Kind::Callback);
    response.account(QStringLiteral("00000000-0000-0000-0000-000000000000"), "n1", &error);
    QCOMPARE(error.kind, AuthError::Kind::Parse);
    response.idToken = "not-a-jwt";
    response.account(kClient, {}, &error);
    QCOMPARE(error.kind, AuthError::Kind::Parse);
    response.idToken = "a.%%%.c";
    response.account(kClient, {}, &error);
    QCOMPARE(error.kind, AuthError::Kind::Parse);
}

void TestAuthProtocol::errorMapping_data()
{
    QTest::addColumn<QString>("error");
    QTest::addColumn<QList<int>>("codes");
    QTest::addColumn<AuthError::Kind>("kind");
    QTest::addColumn<bool>("interactive");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("revoked") << "invalid_grant" << QList<int>{50173} << AuthError::Kind::InvalidGrant << true
                             << "revoked";
    QTest::newRow("inactive") << "invalid_grant" << QList<int>{700082} << AuthError::Kind::InvalidGrant << true
                              << "not used for a long time";
    QTest::newRow("frequency") << "invalid_grant" << QList<int>{70043} << AuthError::Kind::InvalidGrant << true
                               << "sign-in frequency";
    QTest::newRow("interaction") << "interaction_required" << QList<int>{50076} << AuthError::Kind::InteractionRequired
                                 << true << "browser";
    QTest::newRow("consent") << "consent_required" << QList<int>{65001} << AuthError::Kind::InteractionRequired << true
                             << "browser";
    QTest::newRow("denied") << "access_denied" << QList<int>{65004} << AuthError::Kind::AccessDenied << false
                            << "cancelled";
    QTest::newRow("client") << "invalid_client" << QList<int>{700016} << AuthError::Kind::Configuration << false
                            << "client id";
    QTest::newRow("scope") << "invalid_scope" << QList<int>{70011} << AuthError::Kind::Configuration << false
                           << "permissions";
    QTest::newRow("unavailable") << "temporarily_unavailable" << QList<int>{} << AuthError::Kind::Server << false
                                 << "temporarily";
    QTest::newRow("other") << "invalid_request" << QList<int>{900144} << AuthError::Kind::Server << false << "AADSTS";
}

void TestAuthProtocol::errorMapping()
{
    QFETCH(QString, error);
    QFETCH(QList<int>, codes);
    QFETCH(AuthError::Kind, kind);
    QFETCH(bool, interactive);
    QFETCH(QString, fragment);
    const QString description =
        QStringLiteral("AADSTS%1: The server says so.\r\nTrace ID: 1\r\nCorrelation ID: 2").arg(codes.value(0));
    const AuthError mapped = AuthError::fromOAuth(error, description, codes, 400);
    QCOMPARE(mapped.kind, kind);
    QCOMPARE(mapped.requiresInteractiveSignIn(), interactive);
    QVERIFY2(mapped.message.contains(fragment, Qt::CaseInsensitive), qPrintable(mapped.message));
    QVERIFY2(!mapped.message.contains(QStringLiteral("Trace ID")), qPrintable(mapped.message));
}

void TestAuthProtocol::roleNames()
{
    QCOMPARE(directoryRoleNames({QStringLiteral("62E90394-69F5-4237-9190-012177145E10"),
                                 QStringLiteral("b79fbf4d-3ef9-4689-8143-76b194e85509")}),
             QStringList{QStringLiteral("Global Administrator")});
    QVERIFY(directoryRoleNames({}).isEmpty());
}

QTEST_GUILESS_MAIN(TestAuthProtocol)
#include "TestAuthProtocol.moc"
