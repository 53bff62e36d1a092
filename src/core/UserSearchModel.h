#pragma once

#include "DirectoryUser.h"
#include "GraphError.h"

#include <QAbstractTableModel>
#include <QList>
#include <QPointer>
#include <QUrl>

#include <optional>

class GraphClient;
class GraphJob;
struct GraphReply;

// The people found for one query, as a table. A query of at least two characters is sent at once: an object id
// or a full UPN is read directly (GET /users/{id or upn}), anything else is a $search over name, UPN and mail.
// Further pages load when the view scrolls to the end (canFetchMore/fetchMore following @odata.nextLink).
// At most one request is in flight: a new query aborts whatever is still loading.
class UserSearchModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        NameColumn,
        UpnColumn,
        MailColumn,
        DepartmentColumn,
        JobTitleColumn,
        EnabledColumn,
        ColumnCount,
    };
    enum Role
    {
        ObjectIdRole = Qt::UserRole + 1,
        UserPrincipalNameRole,
    };
    enum class State
    {
        Empty,     // nothing typed
        TooShort,  // fewer than kMinimumLength characters
        Loading,   // the first answer of the current query is awaited (the previous rows stay until then)
        Results,   // at least one row
        NoMatches, // the query found no one
        Failed,    // the first request of the query failed: lastError()
    };
    Q_ENUM(State)
    static constexpr int kMinimumLength = 2;

    explicit UserSearchModel(QObject* parent = nullptr);
    ~UserSearchModel() override;

    // The client requests go to; null (signed out) clears the results. The model does not own it.
    void setGraphClient(GraphClient* graph);
    void setPageSize(int users) { m_pageSize = users; }

    // Starts `text` as the current query now, aborting any request in flight.
    void search(const QString& text);
    void clear();

    QString query() const { return m_query; }
    State state() const { return m_state; }
    bool isBusy() const { return !m_job.isNull(); }
    // @odata.count of a $search, when Graph sent it.
    std::optional<qint64> totalCount() const { return m_totalCount; }
    const GraphError& lastError() const { return m_lastError; }

    DirectoryUser user(int row) const;
    int rowOfUser(const QString& objectId) const;
    // Replaces the row of the user with the same object id (e.g. after a revocation changed its valid-from time).
    void updateUser(const DirectoryUser& user);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

Q_SIGNALS:
    void stateChanged(UserSearchModel::State state);
    void busyChanged(bool busy);
    // A request of the current query failed: the first page (state Failed) or a later one (the rows stay).
    void errorOccurred(const GraphError& error);

private:
    enum class Request
    {
        Search,
        Lookup,
        NextPage,
    };
    void start(GraphJob* job, Request kind);
    void abortJob();
    void onFinished(const GraphReply& reply, Request kind);
    void replaceRows(const QList<DirectoryUser>& users);
    void setState(State state);

    QPointer<GraphClient> m_graph;
    QPointer<GraphJob> m_job;
    QString m_query;
    State m_state = State::Empty;
    QList<DirectoryUser> m_users;
    QUrl m_nextLink;
    bool m_pagingFailed = false;
    std::optional<qint64> m_totalCount;
    GraphError m_lastError;
    int m_pageSize = 100;
};
