#include "DirectoryUser.h"
#include "GraphClient.h"
#include "GraphError.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUrlQuery>

// The pure parts of the Graph client: $search escaping, URL encoding, user paths, and the parsing of users, pages
// and error bodies, including whatever garbage a proxy or a broken server may send.
class TestGraphQuery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void searchClauseEscapes_data();
    void searchClauseEscapes();
    void userSearchExpressionHasThreeClauses();
    void searchQueryIsEncodedWhole_data();
    void searchQueryIsEncodedWhole();
    void userPathAddressesEveryKindOfUser_data();
    void userPathAddressesEveryKindOfUser();
    void userPathSurvivesQUrl();
    void detectsObjectIds_data();
    void detectsObjectIds();
    void detectsUserPrincipalNames_data();
    void detectsUserPrincipalNames();
    void selectList();
    void directoryUserFromFullJson();
    void directoryUserFromGarbage();
    void directoryUserDates_data();
    void directoryUserDates();
    void userPageParsing();
    void userPageGarbage();
    void errorBodyMapping_data();
    void errorBodyMapping();
    void errorBodyGarbage_data();
    void errorBodyGarbage();
    void forbiddenMessagesNameWhatIsMissing();
    void successBodies_data();
    void successBodies();
    void retryAfter_data();
    void retryAfter();
    void logTextCarriesIdsNotSecrets();
};

void TestGraphQuery::searchClauseEscapes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("clause");
    QTest::newRow("plain") << QStringLiteral("ann") << QStringLiteral("\"displayName:ann\"");
    QTest::newRow("apostrophe") << QStringLiteral("O'Brien") << QStringLiteral("\"displayName:O'Brien\"");
    QTest::newRow("quotes") << QStringLiteral("\"quoted\"") << QStringLiteral("\"displayName:\\\"quoted\\\"\"");
    QTest::newRow("backslash") << QStringLiteral("Back\\Slash") << QStringLiteral("\"displayName:Back\\\\Slash\"");
    QTest::newRow("escaped quote in input") << QStringLiteral("a\\\"b") << QStringLiteral("\"displayName:a\\\\\\\"b\"");
    QTest::newRow("chinese") << QStringLiteral("张伟") << QStringLiteral("\"displayName:张伟\"");
    QTest::newRow("diaeresis") << QStringLiteral("Zoë") << QStringLiteral("\"displayName:Zoë\"");
    QTest::newRow("colon and spaces") << QStringLiteral("a: b") << QStringLiteral("\"displayName:a: b\"");
}

void TestGraphQuery::searchClauseEscapes()
{
    QFETCH(QString, text);
    QFETCH(QString, clause);
    QCOMPARE(GraphQuery::searchClause(QStringLiteral("displayName"), text), clause);
}

void TestGraphQuery::userSearchExpressionHasThreeClauses()
{
    QCOMPARE(GraphQuery::userSearchExpression(QStringLiteral("O\"B")),
             QStringLiteral("\"displayName:O\\\"B\" OR \"userPrincipalName:O\\\"B\" OR \"mail:O\\\"B\""));
}

void TestGraphQuery::searchQueryIsEncodedWhole_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("apostrophe") << QStringLiteral("O'Brien");
    QTest::newRow("quote") << QStringLiteral("Bob \"The Builder\"");
    QTest::newRow("backslash") << QStringLiteral("Back\\Slash");
    QTest::newRow("chinese") << QStringLiteral("张伟");
    QTest::newRow("diaeresis") << QStringLiteral("Zoë");
    QTest::newRow("query delimiters") << QStringLiteral("a&b=c+d#e?f");
    QTest::newRow("percent") << QStringLiteral("100% %41 %zz");
}

void TestGraphQuery::searchQueryIsEncodedWhole()
{
    QFETCH(QString, text);
    const QString query = GraphQuery::userSearchQuery(text, 25);

    // Nothing is left raw: only ASCII, no spaces or quotes, and the value has no query delimiter of its own.
    for (const QChar c : query) {
        QVERIFY2(c.unicode() > 0x20 && c.unicode() < 0x7f, qPrintable(query));
        QVERIFY2(c != QLatin1Char('"') && c != QLatin1Char('\\') && c != QLatin1Char('#'), qPrintable(query));
    }
    QCOMPARE(query.count(QLatin1Char('&')), 3);

    // Through QUrl the way GraphClient sends it, and back: the very expression, not double-encoded.
    QUrl url(QStringLiteral("https://graph.microsoft.com/v1.0/users"));
    url.setQuery(query, QUrl::StrictMode);
    QVERIFY(url.isValid());
    const QByteArray wire = url.toEncoded();
    QVERIFY2(wire.endsWith(query.toLatin1()), wire.constData());
    const QUrlQuery items(url);
    QCOMPARE(items.queryItemValue(QStringLiteral("$search"), QUrl::FullyDecoded),
             GraphQuery::userSearchExpression(text));
    QCOMPARE(items.queryItemValue(QStringLiteral("$select")), GraphClient::selectList(false));
    QCOMPARE(items.queryItemValue(QStringLiteral("$top")), QStringLiteral("25"));
    QCOMPARE(items.queryItemValue(QStringLiteral("$count")), QStringLiteral("true"));
    // A '+' must be %2B: some servers read a raw '+' in a query as a space.
    if (text.contains(QLatin1Char('+'))) {
        QVERIFY(query.contains(QStringLiteral("%2B")));
    }
}

void TestGraphQuery::userPathAddressesEveryKindOfUser_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("path");
    QTest::newRow("object id") << QStringLiteral("11111111-1111-4111-8111-000000000005")
                               << QStringLiteral("users/11111111-1111-4111-8111-000000000005");
    QTest::newRow("plain upn") << QStringLiteral("lost@contoso.test") << QStringLiteral("users/lost@contoso.test");
    QTest::newRow("dollar upn") << QStringLiteral("$svc-backup@contoso.test")
                                << QStringLiteral("users('$svc-backup@contoso.test')");
    QTest::newRow("dollar upn with apostrophe")
        << QStringLiteral("$o'neil@contoso.test") << QStringLiteral("users('$o''neil@contoso.test')");
    QTest::newRow("guest") << QStringLiteral("ann_fabrikam.com#EXT#@contoso.test")
                           << QStringLiteral("users/ann_fabrikam.com%23EXT%23@contoso.test");
    QTest::newRow("apostrophe") << QStringLiteral("sean.o'brien@contoso.test")
                                << QStringLiteral("users/sean.o%27brien@contoso.test");
    QTest::newRow("slash and question mark")
        << QStringLiteral("a/b?c@contoso.test") << QStringLiteral("users/a%2Fb%3Fc@contoso.test");
    QTest::newRow("non-latin") << QStringLiteral("zoë@contoso.test") << QStringLiteral("users/zo%C3%AB@contoso.test");
}

void TestGraphQuery::userPathAddressesEveryKindOfUser()
{
    QFETCH(QString, key);
    QFETCH(QString, path);
    QCOMPARE(GraphQuery::userPath(key), path);
}

void TestGraphQuery::userPathSurvivesQUrl()
{
    // The encoded path goes into QUrl in StrictMode: the wire keeps %23, and decoding gives the UPN back.
    const QString guest = QStringLiteral("ann_fabrikam.com#EXT#@contoso.test");
    QUrl url(QStringLiteral("https://graph.microsoft.com"));
    url.setPath(QStringLiteral("/v1.0/") + GraphQuery::userPath(guest), QUrl::StrictMode);
    QVERIFY(url.isValid());
    QVERIFY2(url.toEncoded().contains("/v1.0/users/ann_fabrikam.com%23EXT%23@contoso.test"), url.toEncoded());
    QCOMPARE(url.path(QUrl::FullyDecoded), QStringLiteral("/v1.0/users/") + guest);
    QVERIFY(url.fragment().isEmpty());

    QUrl dollar(QStringLiteral("https://graph.microsoft.com"));
    dollar.setPath(QStringLiteral("/v1.0/") + GraphQuery::userPath(QStringLiteral("$svc-backup@contoso.test")),
                   QUrl::StrictMode);
    QCOMPARE(dollar.toEncoded(), QByteArray("https://graph.microsoft.com/v1.0/users('$svc-backup@contoso.test')"));
}

void TestGraphQuery::detectsObjectIds_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("isId");
    QTest::newRow("lower") << QStringLiteral("11111111-1111-4111-8111-000000000005") << true;
    QTest::newRow("upper") << QStringLiteral("EAB3A016-FCF8-474D-95CA-6878C36CB3B2") << true;
    QTest::newRow("braces") << QStringLiteral("{eab3a016-fcf8-474d-95ca-6878c36cb3b2}") << false;
    QTest::newRow("short") << QStringLiteral("eab3a016-fcf8-474d-95ca-6878c36cb3b") << false;
    QTest::newRow("not hex") << QStringLiteral("eab3a016-fcf8-474d-95ca-6878c36cb3bg") << false;
    QTest::newRow("trailing text") << QStringLiteral("eab3a016-fcf8-474d-95ca-6878c36cb3b2/x") << false;
    QTest::newRow("upn") << QStringLiteral("lost@contoso.test") << false;
    QTest::newRow("empty") << QString() << false;
}

void TestGraphQuery::detectsObjectIds()
{
    QFETCH(QString, text);
    QFETCH(bool, isId);
    QCOMPARE(GraphQuery::looksLikeObjectId(text), isId);
}

void TestGraphQuery::detectsUserPrincipalNames_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("isUpn");
    QTest::newRow("plain") << QStringLiteral("lost@contoso.test") << true;
    QTest::newRow("subdomain") << QStringLiteral("a.b@mail.contoso.co.uk") << true;
    QTest::newRow("dollar") << QStringLiteral("$svc-backup@contoso.test") << true;
    QTest::newRow("guest") << QStringLiteral("ann_fabrikam.com#EXT#@contoso.test") << true;
    QTest::newRow("apostrophe") << QStringLiteral("sean.o'brien@contoso.test") << true;
    QTest::newRow("name") << QStringLiteral("Lou Stone") << false;
    QTest::newRow("space") << QStringLiteral("lou stone@contoso.test") << false;
    QTest::newRow("no domain") << QStringLiteral("lost@") << false;
    QTest::newRow("no tld") << QStringLiteral("lost@contoso") << false;
    QTest::newRow("two ats") << QStringLiteral("a@b@contoso.test") << false;
    QTest::newRow("no local part") << QStringLiteral("@contoso.test") << false;
    QTest::newRow("object id") << QStringLiteral("11111111-1111-4111-8111-000000000005") << false;
    QTest::newRow("empty") << QString() << false;
}

void TestGraphQuery::detectsUserPrincipalNames()
{
    QFETCH(QString, text);
    QFETCH(bool, isUpn);
    QCOMPARE(GraphQuery::looksLikeUserPrincipalName(text), isUpn);
}

void TestGraphQuery::selectList()
{
    QCOMPARE(GraphClient::selectList(false),
             QStringLiteral("id,displayName,userPrincipalName,mail,department,jobTitle,accountEnabled,userType,"
                            "signInSessionsValidFromDateTime"));
    QCOMPARE(GraphClient::selectList(true),
             GraphClient::selectList(false) + QStringLiteral(",refreshTokensValidFromDateTime"));
}

void TestGraphQuery::directoryUserFromFullJson()
{
    const QJsonObject json = QJsonDocument::fromJson(R"({
        "id": "11111111-1111-4111-8111-000000000005", "displayName": "Lou Stone",
        "userPrincipalName": "lost@contoso.test", "mail": "lost@contoso.test", "department": "Operations",
        "jobTitle": "Field Engineer", "accountEnabled": true, "userType": "Member",
        "signInSessionsValidFromDateTime": "2026-11-25T13:02:11Z",
        "refreshTokensValidFromDateTime": "2026-11-25T13:02:12Z"})")
                                 .object();
    const DirectoryUser user = DirectoryUser::fromJson(json);
    QCOMPARE(user.id, QStringLiteral("11111111-1111-4111-8111-000000000005"));
    QCOMPARE(user.displayName, QStringLiteral("Lou Stone"));
    QCOMPARE(user.userPrincipalName, QStringLiteral("lost@contoso.test"));
    QCOMPARE(user.mail, QStringLiteral("lost@contoso.test"));
    QCOMPARE(user.department, QStringLiteral("Operations"));
    QCOMPARE(user.jobTitle, QStringLiteral("Field Engineer"));
    QCOMPARE(user.accountEnabled, std::optional<bool>(true));
    QVERIFY(!user.isGuest());
    QCOMPARE(user.signInSessionsValidFrom, QDateTime(QDate(2026, 11, 25), QTime(13, 2, 11), Qt::UTC));
    QCOMPARE(user.refreshTokensValidFrom, QDateTime(QDate(2026, 11, 25), QTime(13, 2, 12), Qt::UTC));
    QCOMPARE(user.signInSessionsValidFrom.timeSpec(), Qt::UTC);

    QJsonObject guest = json;
    guest.insert(QStringLiteral("userType"), QStringLiteral("Guest"));
    guest.insert(QStringLiteral("accountEnabled"), false);
    const DirectoryUser g = DirectoryUser::fromJson(guest);
    QVERIFY(g.isGuest());
    QCOMPARE(g.accountEnabled, std::optional<bool>(false));
}

void TestGraphQuery::directoryUserFromGarbage()
{
    const QJsonObject json = QJsonDocument::fromJson(R"({
        "id": 42, "displayName": ["Lou"], "userPrincipalName": null, "mail": {"a": 1}, "department": true,
        "jobTitle": 1.5, "accountEnabled": "true", "userType": 7,
        "signInSessionsValidFromDateTime": "yesterday", "refreshTokensValidFromDateTime": 1700000000})")
                                 .object();
    const DirectoryUser user = DirectoryUser::fromJson(json);
    QVERIFY(user.id.isEmpty());
    QVERIFY(user.displayName.isEmpty());
    QVERIFY(user.userPrincipalName.isEmpty());
    QVERIFY(user.mail.isEmpty());
    QVERIFY(user.department.isEmpty());
    QVERIFY(user.jobTitle.isEmpty());
    QVERIFY(!user.accountEnabled.has_value());
    QVERIFY(user.userType.isEmpty());
    QVERIFY(!user.isGuest());
    QVERIFY(!user.signInSessionsValidFrom.isValid());
    QVERIFY(!user.refreshTokensValidFrom.isValid());

    const DirectoryUser empty = DirectoryUser::fromJson({});
    QVERIFY(empty.id.isEmpty());
    QVERIFY(!empty.accountEnabled.has_value());
    QVERIFY(!empty.signInSessionsValidFrom.isValid());
}

void TestGraphQuery::directoryUserDates_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected");
    const QDateTime at(QDate(2024, 3, 1), QTime(10, 0, 0), Qt::UTC);
    QTest::newRow("Z") << QStringLiteral("2024-03-01T10:00:00Z") << at;
    QTest::newRow("milliseconds") << QStringLiteral("2024-03-01T10:00:00.250Z") << at.addMSecs(250);
    QTest::newRow("seven fraction digits") << QStringLiteral("2024-03-01T10:00:00.1234567Z") << at.addMSecs(123);
    QTest::newRow("offset") << QStringLiteral("2024-03-01T12:00:00+02:00") << at;
    QTest::newRow("no offset is UTC") << QStringLiteral("2024-03-01T10:00:00") << at;
    QTest::newRow("garbage") << QStringLiteral("2024-13-45T99:00:00Z") << QDateTime();
    QTest::newRow("empty") << QString() << QDateTime();
}

void TestGraphQuery::directoryUserDates()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    const DirectoryUser user = DirectoryUser::fromJson({{QStringLiteral("signInSessionsValidFromDateTime"), text}});
    QCOMPARE(user.signInSessionsValidFrom.isValid(), expected.isValid());
    if (expected.isValid()) {
        // Sub-millisecond digits may be rounded; what matters is the instant, in UTC.
        QVERIFY2(qAbs(user.signInSessionsValidFrom.msecsTo(expected)) <= 1,
                 qPrintable(user.signInSessionsValidFrom.toString(Qt::ISODateWithMs)));
        QCOMPARE(user.signInSessionsValidFrom.timeSpec(), Qt::UTC);
    }
}

void TestGraphQuery::userPageParsing()
{
    GraphReply reply;
    reply.httpStatus = 200;
    reply.json = QJsonDocument::fromJson(R"json({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName)",
        "@odata.count": 2001,
        "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$search=%22displayName:ann%22&$top=2&$skiptoken=RFNwdAIAAQAAAA",
        "value": [{"id": "a", "displayName": "Ann"}, {"id": "b", "displayName": "Bob"}]})json")
                     .object();
    const UserPage page = UserPage::fromReply(reply);
    QCOMPARE(page.users.size(), 2);
    QCOMPARE(page.users.at(0).displayName, QStringLiteral("Ann"));
    QCOMPARE(page.users.at(1).id, QStringLiteral("b"));
    QCOMPARE(page.count, std::optional<qint64>(2001));
    QVERIFY(page.nextLink.isValid());
    // Opaque: kept as Graph wrote it.
    QCOMPARE(page.nextLink.toEncoded(),
             QByteArray("https://graph.microsoft.com/v1.0/users?$search=%22displayName:ann%22&$top=2&"
                        "$skiptoken=RFNwdAIAAQAAAA"));

    GraphReply last;
    last.json = QJsonDocument::fromJson(R"({"value": [{"id": "c"}]})").object();
    const UserPage lastPage = UserPage::fromReply(last);
    QCOMPARE(lastPage.users.size(), 1);
    QVERIFY(lastPage.nextLink.isEmpty());
    QVERIFY(!lastPage.count.has_value());

    GraphReply stringCount;
    stringCount.json = QJsonDocument::fromJson(R"({"@odata.count": "12", "value": []})").object();
    QCOMPARE(UserPage::fromReply(stringCount).count, std::optional<qint64>(12));
}

void TestGraphQuery::userPageGarbage()
{
    const QList<QByteArray> bodies{
        R"({"value": "nope", "@odata.count": -3, "@odata.nextLink": 5})",
        R"({"value": [1, "two", null, [], {"id": "ok"}], "@odata.count": 1.5, "@odata.nextLink": ""})",
        R"({"@odata.count": "many"})",
        R"({})",
    };
    for (const QByteArray& body : bodies) {
        GraphReply reply;
        reply.json = QJsonDocument::fromJson(body).object();
        const UserPage page = UserPage::fromReply(reply);
        QVERIFY2(page.users.size() <= 1, body.constData());
        QVERIFY2(page.nextLink.isEmpty(), body.constData());
        QVERIFY2(!page.count.has_value(), body.constData());
    }
    GraphReply mixed;
    mixed.json = QJsonDocument::fromJson(bodies.at(1)).object();
    QCOMPARE(UserPage::fromReply(mixed).users.at(0).id, QStringLiteral("ok"));
}

void TestGraphQuery::errorBodyMapping_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("kind");
    QTest::newRow("400") << 400 << QStringLiteral("Request_UnsupportedQuery") << int(GraphError::Kind::BadRequest);
    QTest::newRow("401") << 401 << QStringLiteral("InvalidAuthenticationToken") << int(GraphError::Kind::Unauthorized);
    QTest::newRow("403") << 403 << QStringLiteral("Authorization_RequestDenied") << int(GraphError::Kind::Forbidden);
    QTest::newRow("404") << 404 << QStringLiteral("Request_ResourceNotFound") << int(GraphError::Kind::NotFound);
    QTest::newRow("405") << 405 << QStringLiteral("Request_BadRequest") << int(GraphError::Kind::BadRequest);
    QTest::newRow("429") << 429 << QStringLiteral("TooManyRequests") << int(GraphError::Kind::Throttled);
    QTest::newRow("500") << 500 << QStringLiteral("generalException") << int(GraphError::Kind::Unavailable);
    QTest::newRow("503") << 503 << QStringLiteral("serviceNotAvailable") << int(GraphError::Kind::Unavailable);
    QTest::newRow("504") << 504 << QStringLiteral("UnknownError") << int(GraphError::Kind::Unavailable);
}

void TestGraphQuery::errorBodyMapping()
{
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(int, kind);
    const QByteArray body = QStringLiteral(R"({"error":{"code":"%1","message":"Graph says: no.","innerError":{
        "date":"2026-11-25T13:02:11","request-id":"req-1","client-request-id":"client-1"}}})")
                                .arg(code)
                                .toUtf8();
    const GraphError error = GraphError::fromHttp(status, body, GraphError::Operation::Read, 7);
    QCOMPARE(int(error.kind), kind);
    QCOMPARE(error.httpStatus, status);
    QCOMPARE(error.code, code);
    QCOMPARE(error.serverMessage, QStringLiteral("Graph says: no."));
    QCOMPARE(error.requestId, QStringLiteral("req-1"));
    QCOMPARE(error.clientRequestId, QStringLiteral("client-1"));
    QVERIFY(!error.message.isEmpty());
    QVERIFY(error.isError());
    if (status == 400 || status == 405) {
        QVERIFY2(error.message.contains(QStringLiteral("Graph says: no.")), qPrintable(error.message));
    }
    if (status == 404) {
        QCOMPARE(error.message, QStringLiteral("The user no longer exists (it may have been deleted)."));
    }
    if (status == 429 || status == 503) {
        QCOMPARE(error.retryAfterSecs, 7.0);
        QVERIFY2(error.message.contains(QStringLiteral("7 seconds")), qPrintable(error.message));
    }
}

void TestGraphQuery::errorBodyGarbage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("html") << QByteArray("<html><body><h1>403 Forbidden</h1></body></html>");
    QTest::newRow("truncated") << QByteArray(R"({"error":{"code":"Authorization_Req)");
    QTest::newRow("error is a string") << QByteArray(R"({"error":"access_denied"})");
    QTest::newRow("code is a number") << QByteArray(R"({"error":{"code":5,"message":["x"],"innerError":7}})");
    QTest::newRow("array") << QByteArray(R"([{"error":{"code":"x"}}])");
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe{\x01", 5);
}

void TestGraphQuery::errorBodyGarbage()
{
    QFETCH(QByteArray, body);
    for (int status : {400, 401, 403, 404, 429, 502, 503}) {
        const GraphError error = GraphError::fromHttp(status, body, GraphError::Operation::Revoke);
        QVERIFY(error.isError());
        QCOMPARE(error.httpStatus, status);
        QVERIFY(error.code.isEmpty());
        QVERIFY(error.serverMessage.isEmpty());
        QVERIFY(error.requestId.isEmpty());
        QVERIFY(!error.message.isEmpty());
    }
    // The status still decides the kind; a 403 that is not Graph's own does not claim a missing role.
    const GraphError forbidden = GraphError::fromHttp(403, body, GraphError::Operation::Revoke);
    QCOMPARE(forbidden.kind, GraphError::Kind::Forbidden);
    QVERIFY2(!forbidden.message.contains(QStringLiteral("Global Administrator")), qPrintable(forbidden.message));
    QCOMPARE(GraphError::fromHttp(404, body, GraphError::Operation::Read).kind, GraphError::Kind::NotFound);
    // A redirect or an odd status is not something we understand.
    QCOMPARE(GraphError::fromHttp(302, body, GraphError::Operation::Read).kind, GraphError::Kind::Parse);
    QCOMPARE(GraphError::fromHttp(150, body, GraphError::Operation::Read).kind, GraphError::Kind::Parse);
}

void TestGraphQuery::forbiddenMessagesNameWhatIsMissing()
{
    const QByteArray denied = R"({"error":{"code":"Authorization_RequestDenied",
        "message":"Insufficient privileges to complete the operation."}})";
    const GraphError revoke = GraphError::fromHttp(403, denied, GraphError::Operation::Revoke);
    QCOMPARE(revoke.kind, GraphError::Kind::Forbidden);
    QCOMPARE(revoke.code, QStringLiteral("Authorization_RequestDenied"));
    QVERIFY2(revoke.message.contains(QStringLiteral("User.RevokeSessions.All")), qPrintable(revoke.message));
    QVERIFY2(revoke.message.contains(QStringLiteral("Helpdesk Administrator cannot revoke a Global Administrator")),
             qPrintable(revoke.message));
    QVERIFY2(revoke.message.contains(QStringLiteral("Privileged Authentication Administrator")),
             qPrintable(revoke.message));
    QVERIFY2(revoke.message.contains(QStringLiteral("README")), qPrintable(revoke.message));

    for (auto operation : {GraphError::Operation::Read, GraphError::Operation::List}) {
        const GraphError read = GraphError::fromHttp(403, denied, operation);
        QVERIFY2(read.message.contains(QStringLiteral("User.Read.All")), qPrintable(read.message));
        QVERIFY(!read.message.contains(QStringLiteral("User.RevokeSessions.All")));
    }
    const GraphError self = GraphError::fromHttp(403, denied, GraphError::Operation::RevokeSelf);
    QVERIFY2(self.message.contains(QStringLiteral("User.RevokeSessions.All")), qPrintable(self.message));
    QVERIFY(!self.message.contains(QStringLiteral("Global Administrator")));
}

void TestGraphQuery::successBodies_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::newRow("204") << QByteArray() << QByteArray() << true;
    QTest::newRow("revokeSignInSessions")
        << QByteArray("application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
                      "charset=utf-8")
        << QByteArray(R"({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean","value":true})")
        << true;
    QTest::newRow("no content type") << QByteArray() << QByteArray(R"({"value":[]})") << true;
    QTest::newRow("html portal") << QByteArray("text/html; charset=utf-8")
                                 << QByteArray("<!DOCTYPE html><html><body>Sign in to the network</body></html>")
                                 << false;
    QTest::newRow("malformed") << QByteArray("application/json")
                               << QByteArray(R"({"value":[{"id":"0","displayName":"Broken",]})") << false;
    QTest::newRow("truncated") << QByteArray("application/json") << QByteArray(R"({"value":[{"id":"0","disp)") << false;
    QTest::newRow("array") << QByteArray("application/json") << QByteArray("[1,2]") << false;
    QTest::newRow("garbage") << QByteArray("application/json") << QByteArray("\x01\x02garbage") << false;
}

void TestGraphQuery::successBodies()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QJsonObject json{{QStringLiteral("stale"), 1}};
    const GraphError error = GraphError::fromSuccessBody(contentType, body, &json);
    QCOMPARE(!error.isError(), ok);
    if (ok) {
        QVERIFY(!json.contains(QStringLiteral("stale")));
        QCOMPARE(json, QJsonDocument::fromJson(body).object());
    } else {
        QCOMPARE(error.kind, GraphError::Kind::Parse);
        QVERIFY(!error.message.isEmpty());
    }
    if (contentType.startsWith("text/html")) {
        QVERIFY2(error.message.contains(QStringLiteral("text/html")), qPrintable(error.message));
    }
}

void TestGraphQuery::retryAfter_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<double>("secs");
    QTest::newRow("integer") << QByteArray("30") << 30.0;
    QTest::newRow("fraction") << QByteArray("0.5") << 0.5;
    QTest::newRow("spaces") << QByteArray(" 2.25 ") << 2.25;
    QTest::newRow("zero") << QByteArray("0") << 0.0;
    QTest::newRow("absent") << QByteArray() << -1.0;
    QTest::newRow("negative") << QByteArray("-3") << -1.0;
    QTest::newRow("garbage") << QByteArray("soon") << -1.0;
    QTest::newRow("http date") << QByteArray("Wed, 25 Nov 2026 13:02:21 GMT") << 10.0;
    QTest::newRow("http date in the past") << QByteArray("Wed, 25 Nov 2026 13:00:00 GMT") << 0.0;
}

void TestGraphQuery::retryAfter()
{
    QFETCH(QByteArray, value);
    QFETCH(double, secs);
    const QDateTime now(QDate(2026, 11, 25), QTime(13, 2, 11), Qt::UTC);
    QCOMPARE(GraphError::parseRetryAfter(value, now), secs);
}

void TestGraphQuery::logTextCarriesIdsNotSecrets()
{
    GraphError error = GraphError::fromHttp(
        429, R"({"error":{"code":"TooManyRequests","message":"Too many requests.","innerError":{"request-id":"r-9"}}})",
        GraphError::Operation::List, 1.5);
    error.clientRequestId = QStringLiteral("c-9");
    const QString line = error.logText();
    QVERIFY2(line.contains(QStringLiteral("kind=throttled")), qPrintable(line));
    QVERIFY(line.contains(QStringLiteral("http=429")));
    QVERIFY(line.contains(QStringLiteral("code=TooManyRequests")));
    QVERIFY(line.contains(QStringLiteral("request-id=r-9")));
    QVERIFY(line.contains(QStringLiteral("client-request-id=c-9")));
    QVERIFY(line.contains(QStringLiteral("retry-after=1.5")));
    QVERIFY(!line.contains(QLatin1Char('\n')));
}

QTEST_GUILESS_MAIN(TestGraphQuery)
#include "TestGraphQuery.moc"
