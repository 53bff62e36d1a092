#pragma once

#include <QObject>
#include <QString>

class QTimer;
class UserSearchModel;

// Search as you type: each change of the text restarts a short timer, and only when the operator pauses is the
// text handed to the model as a query (which aborts the previous query's request). Too short a text is shown at
// once, without a request. So a pause in typing costs exactly one request, however fast the keys came.
class UserSearchController : public QObject
{
    Q_OBJECT

public:
    static constexpr int kDefaultDelayMs = 250;

    explicit UserSearchController(UserSearchModel& model, QObject* parent = nullptr);

    void setDelayMs(int ms);
    int delayMs() const;

    // The text as it is now (every keystroke).
    void setText(const QString& text);
    // Searches for the current text now (Enter), unless that query is already loading or answered.
    void searchNow();
    // True while a typed text waits for the pause to be searched.
    bool isPending() const;

Q_SIGNALS:
    void pendingChanged(bool pending);

private:
    void fire();

    UserSearchModel& m_model;
    QTimer* m_timer;
    QString m_text;
};
