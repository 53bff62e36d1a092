#include "ConnectionOptions.h"
#include "ConnectionSettings.h"
#include "SettingsStore.h"

#include <QCommandLineParser>
#include <QTemporaryDir>
#include <QTest>

namespace {
const QString kDemoClient = QStringLiteral("8c3791a0-3f69-437d-9f93-53f516aafdb3");

ConnectionSettings customSim()
{
    ConnectionSettings s;
    s.cloud = Cloud::Custom;
    s.customAuthority = QUrl(QStringLiteral("http://127.0.0.1:8400/"));
    s.customGraph = QUrl(QStringLiteral("http://127.0.0.1:8400"));
    s.tenant = QStringLiteral("contoso.test");
    s.clientId = kDemoClient;
    return s;
}

QString parseInto(const QStringList& args, ConnectionSettings& settings)
{
    QCommandLineParser parser;
    ConnectionOptions::addTo(parser);
    if (!parser.parse(QStringList{QStringLiteral("prog")} + args)) {
        return parser.errorText();
    }
    return ConnectionOptions::applyTo(parser, settings);
}
} // namespace

class TestConnectionSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cloudTable_data();
    void cloudTable();
    void cloudIdsRoundTrip();
    void customEndpointsDropTrailingSlash();
    void validation_data();
    void validation();
    void optionsOverrideStored();
    void authorityImpliesCustomCloud();
    void authorityWithFixedCloudIsRejected();
    void unknownCloudIsRejected();
    void storeRoundTrip();
    void storeStartsEmpty();
};

void TestConnectionSettings::cloudTable_data()
{
    QTest::addColumn<Cloud>("cloud");
    QTest::addColumn<QString>("authority");
    QTest::addColumn<QString>("graph");
    QTest::newRow("global") << Cloud::Global << "https://login.microsoftonline.com"
                            << "https://graph.microsoft.com";
    QTest::newRow("usgov") << Cloud::UsGov << "https://login.microsoftonline.us"
                           << "https://graph.microsoft.us";
    QTest::newRow("dod") << Cloud::UsGovDod << "https://login.microsoftonline.us"
                         << "https://dod-graph.microsoft.us";
    QTest::newRow("china") << Cloud::China << "https://login.partner.microsoftonline.cn"
                           << "https://microsoftgraph.chinacloudapi.cn";
}

void TestConnectionSettings::cloudTable()
{
    QFETCH(Cloud, cloud);
    QFETCH(QString, authority);
    QFETCH(QString, graph);
    ConnectionSettings s;
    s.cloud = cloud;
    s.tenant = QStringLiteral("contoso.onmicrosoft.com");
    QCOMPARE(s.authorityHost().toString(), authority);
    QCOMPARE(s.graphEndpoint().toString(), graph);
    QCOMPARE(s.authorityUrl().toString(), authority + QStringLiteral("/contoso.onmicrosoft.com"));
}

void TestConnectionSettings::cloudIdsRoundTrip()
{
    const QStringList ids = Clouds::ids();
    QCOMPARE(ids, (QStringList{QStringLiteral("global"), QStringLiteral("usgov"), QStringLiteral("usgovdod"),
                               QStringLiteral("china"), QStringLiteral("custom")}));
    for (const QString& id : ids) {
        const auto cloud = Clouds::fromId(id);
        QVERIFY(cloud.has_value());
        QCOMPARE(Clouds::id(*cloud), id);
    }
    QCOMPARE(Clouds::fromId(u"USGOV"), std::optional<Cloud>(Cloud::UsGov));
    QVERIFY(!Clouds::fromId(u"azure").has_value());
}

void TestConnectionSettings::customEndpointsDropTrailingSlash()
{
    const ConnectionSettings s = customSim();
    QCOMPARE(s.authorityHost().toString(), QStringLiteral("http://127.0.0.1:8400"));
    QCOMPARE(s.authorityUrl().toString(), QStringLiteral("http://127.0.0.1:8400/contoso.test"));
    QCOMPARE(s.graphEndpoint().toString(), QStringLiteral("http://127.0.0.1:8400"));
    QCOMPARE(s.validationError(), QString());
}

void TestConnectionSettings::validation_data()
{
    QTest::addColumn<QString>("authority");
    QTest::addColumn<QString>("tenant");
    QTest::addColumn<QString>("clientId");
    QTest::addColumn<QString>("expectedFragment"); // empty: valid

    const QString sim = QStringLiteral("http://127.0.0.1:8400");
    QTest::newRow("sim by domain") << sim << "contoso.test" << kDemoClient << "";
    QTest::newRow("sim by id") << sim << "eab3a016-fcf8-474d-95ca-6878c36cb3b2" << kDemoClient << "";
    QTest::newRow("organizations") << sim << "organizations" << kDemoClient << "";
    QTest::newRow("localhost http") << "http://localhost:9"
                                    << "contoso.test" << kDemoClient << "";
    QTest::newRow("ipv6 loopback http") << "http://[::1]:9"
                                        << "contoso.test" << kDemoClient << "";
    QTest::newRow("https remote") << "https://login.example.test"
                                  << "contoso.test" << kDemoClient << "";
    QTest::newRow("http remote") << "http://login.example.test"
                                 << "contoso.test" << kDemoClient << "HTTPS";
    QTest::newRow("http lan address") << "http://192.168.1.10"
                                      << "contoso.test" << kDemoClient << "HTTPS";
    QTest::newRow("ftp") << "ftp://127.0.0.1"
                         << "contoso.test" << kDemoClient << "https://";
    QTest::newRow("query") << "https://login.example.test/?x=1"
                           << "contoso.test" << kDemoClient << "query";
    QTest::newRow("no authority") << ""
                                  << "contoso.test" << kDemoClient << "needs";
    QTest::newRow("common") << sim << "common" << kDemoClient << "personal Microsoft accounts";
    QTest::newRow("consumers") << sim << "consumers" << kDemoClient << "personal Microsoft accounts";
    QTest::newRow("bad tenant") << sim << "not a tenant" << kDemoClient << "neither";
    QTest::newRow("empty tenant") << sim << "" << kDemoClient << "No tenant";
    QTest::newRow("empty client") << sim << "contoso.test"
                                  << ""
                                  << "No client id";
    QTest::newRow("bad client") << sim << "contoso.test"
                                << "session-revoker"
                                << "not a GUID";
}

void TestConnectionSettings::validation()
{
    QFETCH(QString, authority);
    QFETCH(QString, tenant);
    QFETCH(QString, clientId);
    QFETCH(QString, expectedFragment);
    ConnectionSettings s = customSim();
    s.customAuthority = QUrl(authority);
    s.tenant = tenant;
    s.clientId = clientId;
    const QString error = s.validationError();
    if (expectedFragment.isEmpty()) {
        QCOMPARE(error, QString());
    } else {
        QVERIFY2(error.contains(expectedFragment), qPrintable(error));
    }
}

void TestConnectionSettings::optionsOverrideStored()
{
    ConnectionSettings s; // stored: Global cloud, organizations
    s.clientId = kDemoClient;
    QCOMPARE(parseInto({QStringLiteral("--cloud"), QStringLiteral("china"), QStringLiteral("--tenant"),
                        QStringLiteral("fabrikam.cn")},
                       s),
             QString());
    QCOMPARE(s.cloud, Cloud::China);
    QCOMPARE(s.tenant, QStringLiteral("fabrikam.cn"));
    QCOMPARE(s.clientId, kDemoClient);
    QCOMPARE(s.validationError(), QString());
}

void TestConnectionSettings::authorityImpliesCustomCloud()
{
    ConnectionSettings s;
    QCOMPARE(parseInto({QStringLiteral("--authority"), QStringLiteral("http://127.0.0.1:5000"),
                        QStringLiteral("--graph"), QStringLiteral("http://127.0.0.1:5001"), QStringLiteral("--tenant"),
                        QStringLiteral("contoso.test"), QStringLiteral("--client-id"), kDemoClient},
                       s),
             QString());
    QCOMPARE(s.cloud, Cloud::Custom);
    QCOMPARE(s.authorityUrl().toString(), QStringLiteral("http://127.0.0.1:5000/contoso.test"));
    QCOMPARE(s.graphEndpoint().toString(), QStringLiteral("http://127.0.0.1:5001"));
    QCOMPARE(s.validationError(), QString());
}

void TestConnectionSettings::authorityWithFixedCloudIsRejected()
{
    ConnectionSettings s;
    const QString error = parseInto({QStringLiteral("--cloud"), QStringLiteral("global"), QStringLiteral("--authority"),
                                     QStringLiteral("https://x.test")},
                                    s);
    QVERIFY2(error.contains(QStringLiteral("--cloud custom")), qPrintable(error));
    QCOMPARE(s.cloud, Cloud::Global);
}

void TestConnectionSettings::unknownCloudIsRejected()
{
    ConnectionSettings s;
    const QString error = parseInto({QStringLiteral("--cloud"), QStringLiteral("mars")}, s);
    QVERIFY2(error.contains(QStringLiteral("mars")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("usgovdod")), qPrintable(error));
}

void TestConnectionSettings::storeRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString ini = dir.filePath(QStringLiteral("settings.ini"));
    const ConnectionSettings original = customSim();
    {
        SettingsStore store(ini);
        store.saveConnection(original);
    }
    SettingsStore reopened(ini);
    const auto loaded = reopened.loadConnection();
    QVERIFY(loaded.has_value());
    QCOMPARE(loaded->cloud, original.cloud);
    QCOMPARE(loaded->customAuthority, original.customAuthority);
    QCOMPARE(loaded->customGraph, original.customGraph);
    QCOMPARE(loaded->tenant, original.tenant);
    QCOMPARE(loaded->clientId, original.clientId);
    QVERIFY(*loaded == original);
}

void TestConnectionSettings::storeStartsEmpty()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    SettingsStore store(dir.filePath(QStringLiteral("none.ini")));
    QVERIFY(!store.loadConnection().has_value());
}

QTEST_GUILESS_MAIN(TestConnectionSettings)
#include "TestConnectionSettings.moc"
