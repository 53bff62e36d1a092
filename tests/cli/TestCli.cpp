#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

// Runs the real session-revoker-cli executable, with its settings in a throwaway folder.
class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void version();
    void helpListsSharedOptions();
    void configShowsOptionsOverStoredSettings();
    void configOfUnusableSettingsFails();
    void badOptionsExitWithUsageError();
    void graphCommandsCheckTheirArguments();
    void auditPrintsTheLog();
    void auditOfAMissingLogIsEmpty();

private:
    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Run run(const QStringList& args);

    QTemporaryDir m_home;
};

void TestCli::initTestCase()
{
    QVERIFY(m_home.isValid());
}

TestCli::Run TestCli::run(const QStringList& args)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), m_home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(SR_CLI_PATH), args);
    Run result;
    if (!process.waitForFinished(30000)) {
        process.kill();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

void TestCli::version()
{
    const Run r = run({QStringLiteral("--version")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("Session Revoker ")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("\\d+\\.\\d+\\.\\d+"))), qPrintable(r.out));
}

void TestCli::helpListsSharedOptions()
{
    const Run r = run({QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    for (const char* option : {"--cloud", "--authority", "--graph", "--tenant", "--client-id", "--ca-file", "config"}) {
        QVERIFY2(r.out.contains(QLatin1String(option)), option);
    }
}

void TestCli::configShowsOptionsOverStoredSettings()
{
    const Run r =
        run({QStringLiteral("config"), QStringLiteral("--authority"), QStringLiteral("http://127.0.0.1:1234/"),
             QStringLiteral("--graph"), QStringLiteral("http://127.0.0.1:1234"), QStringLiteral("--tenant"),
             QStringLiteral("contoso.test"), QStringLiteral("--client-id"),
             QStringLiteral("8c3791a0-3f69-437d-9f93-53f516aafdb3")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("Custom cloud (custom)")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("http://127.0.0.1:1234/contoso.test")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("8c3791a0-3f69-437d-9f93-53f516aafdb3")), qPrintable(r.out));
}

void TestCli::configOfUnusableSettingsFails()
{
    const Run r = run({QStringLiteral("config")}); // nothing stored, nothing given: no client id
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("client id")), qPrintable(r.err));
}

void TestCli::badOptionsExitWithUsageError()
{
    Run r = run({QStringLiteral("config"), QStringLiteral("--cloud"), QStringLiteral("mars")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("mars")), qPrintable(r.err));
    r = run({});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("No command")), qPrintable(r.err));
    r = run({QStringLiteral("frobnicate")});
    QCOMPARE(r.exitCode, 2);
}

void TestCli::graphCommandsCheckTheirArguments()
{
    const QStringList connection{QStringLiteral("--authority"), QStringLiteral("http://127.0.0.1:9"),
                                 QStringLiteral("--graph"),     QStringLiteral("http://127.0.0.1:9"),
                                 QStringLiteral("--tenant"),    QStringLiteral("contoso.test"),
                                 QStringLiteral("--client-id"), QStringLiteral("8c3791a0-3f69-437d-9f93-53f516aafdb3")};
    const QList<QPair<QStringList, QString>> cases{
        {{QStringLiteral("revoke")}, QStringLiteral("revoke needs one user")},
        {{QStringLiteral("revoke"), QStringLiteral("a@contoso.test"), QStringLiteral("b@contoso.test")},
         QStringLiteral("revoke needs one user")},
        {{QStringLiteral("revoke"), QStringLiteral("--me"), QStringLiteral("a@contoso.test")},
         QStringLiteral("takes no user")},
        {{QStringLiteral("revoke"), QStringLiteral("a@contoso.test"), QStringLiteral("--api"), QStringLiteral("v2")},
         QStringLiteral("--api takes v1 or beta")},
        {{QStringLiteral("show")}, QStringLiteral("show needs one user")},
        {{QStringLiteral("search")}, QStringLiteral("search needs some text")},
        {{QStringLiteral("search"), QStringLiteral("ann"), QStringLiteral("--top"), QStringLiteral("0")},
         QStringLiteral("--top")},
        {{QStringLiteral("audit"), QStringLiteral("--json"), QStringLiteral("--csv")}, QStringLiteral("not both")},
    };
    for (const auto& [args, message] : cases) {
        const Run r = run(args + connection);
        QVERIFY2(r.exitCode == 2, qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + r.err));
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }
}

void TestCli::auditPrintsTheLog()
{
    // Written here, not by the app's AuditLog: the CLI must read the documented format (one JSON object a line).
    const QString path = m_home.filePath(QStringLiteral("audit.jsonl"));
    QJsonObject attempt{{QStringLiteral("attemptId"), QStringLiteral("a1")},
                        {QStringLiteral("phase"), QStringLiteral("attempt")},
                        {QStringLiteral("time"), QStringLiteral("2026-11-25T13:02:11.000Z")},
                        {QStringLiteral("operatorUpn"), QStringLiteral("helpdesk@contoso.test")},
                        {QStringLiteral("targetId"), QStringLiteral("11111111-1111-4111-8111-000000000005")},
                        {QStringLiteral("targetUpn"), QStringLiteral("lost@contoso.test")},
                        {QStringLiteral("targetName"), QStringLiteral("Lou Stone")},
                        {QStringLiteral("reason"), QStringLiteral("=cmd|' /C calc'!A0")},
                        {QStringLiteral("api"), QStringLiteral("revokeSignInSessions (v1.0)")},
                        {QStringLiteral("outcome"), QStringLiteral("pending")}};
    QJsonObject result = attempt;
    result.insert(QStringLiteral("phase"), QStringLiteral("result"));
    result.insert(QStringLiteral("time"), QStringLiteral("2026-11-25T13:02:12.000Z"));
    result.insert(QStringLiteral("outcome"), QStringLiteral("success"));
    result.insert(QStringLiteral("httpStatus"), 200);
    result.insert(QStringLiteral("requestId"), QStringLiteral("7c1e0000-0000-4000-8000-000000000001"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(attempt).toJson(QJsonDocument::Compact) + '\n');
    file.write("{\"attemptId\":\"a1\",\"phase\":\"res\n"); // torn by a crash
    file.write(QJsonDocument(result).toJson(QJsonDocument::Compact) + '\n');
    file.close();

    Run r = run({QStringLiteral("audit"), QStringLiteral("--json"), QStringLiteral("--audit-file"), path});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(json.value(QLatin1String("damagedLines")).toInt(), 1);
    const QJsonArray records = json.value(QLatin1String("records")).toArray();
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(1).toObject().value(QLatin1String("outcome")).toString(), QStringLiteral("success"));
    QCOMPARE(records.at(1).toObject().value(QLatin1String("httpStatus")).toInt(), 200);
    QVERIFY2(r.err.contains(QStringLiteral("1 damaged line")), qPrintable(r.err));

    r = run({QStringLiteral("audit"), QStringLiteral("--csv"), QStringLiteral("--audit-file"), path});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).startsWith(QStringLiteral("time,attemptId,phase,")));
    QVERIFY2(r.out.contains(QStringLiteral(",\"'=cmd|' /C calc'!A0\",")), qPrintable(r.out));

    r = run({QStringLiteral("audit"), QStringLiteral("--audit-file"), path});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("Lou Stone <lost@contoso.test>")), qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("7c1e0000-0000-4000-8000-000000000001")));
}

void TestCli::auditOfAMissingLogIsEmpty()
{
    const QString path = m_home.filePath(QStringLiteral("none/audit.jsonl"));
    Run r = run({QStringLiteral("audit"), QStringLiteral("--audit-file"), path});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains(QStringLiteral("No audit records")), qPrintable(r.err));
    r = run({QStringLiteral("audit"), QStringLiteral("--json"), QStringLiteral("--audit-file"), path});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QLatin1String("records")).toArray().size(), 0);
}

QTEST_GUILESS_MAIN(TestCli)
#include "TestCli.moc"
