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

QTEST_GUILESS_MAIN(TestCli)
#include "TestCli.moc"
