#include "UserSearchModel.h"

#include "GraphClient.h"

UserSearchModel::UserSearchModel(QObject* parent) : QAbstractTableModel(parent) {}

UserSearchModel::~UserSearchModel()
{
    abortJob();
}

void UserSearchModel::setGraphClient(GraphClient* graph)
{
    clear();
    m_graph = graph;
}

void UserSearchModel::clear()
{
    abortJob();
    m_query.clear();
    m_lastError = GraphError();
    replaceRows({});
    setState(State::Empty);
}

void UserSearchModel::search(const QString& text)
{
    abortJob();
    m_query = text.trimmed();
    m_lastError = GraphError();
    if (m_query.isEmpty() || m_query.size() < kMinimumLength) {
        replaceRows({});
        setState(m_query.isEmpty() ? State::Empty : State::TooShort);
        return;
    }
    if (!m_graph) {
        replaceRows({});
        m_lastError.kind = GraphError::Kind::SignInRequired;
        m_lastError.message = tr("Sign in to search.");
        setState(State::Failed);
        Q_EMIT errorOccurred(m_lastError);
        return;
    }
    // An object id or a whole UPN names one user: read it directly instead of a (fuzzier, eventually consistent)
    // $search, which would not find `$`-prefixed or #EXT# guest UPNs reliably anyway.
    const bool direct = GraphQuery::looksLikeObjectId(m_query) || GraphQuery::looksLikeUserPrincipalName(m_query);
    setState(State::Loading);
    if (direct) {
        start(m_graph->getUser(m_query), Request::Lookup);
    } else {
        start(m_graph->searchUsers(m_query, m_pageSize), Request::Search);
    }
}

void UserSearchModel::start(GraphJob* job, Request kind)
{
    m_job = job;
    connect(job, &GraphJob::finished, this, [this, kind](const GraphReply& reply) { onFinished(reply, kind); });
    Q_EMIT busyChanged(true);
}

void UserSearchModel::abortJob()
{
    if (GraphJob* job = m_job) {
        m_job.clear();
        // Its answer belongs to an older query: never let it reach the rows, whenever finished() comes.
        disconnect(job, nullptr, this, nullptr);
        job->abort();
        Q_EMIT busyChanged(false);
    }
}

void UserSearchModel::onFinished(const GraphReply& reply, Request kind)
{
    m_job.clear();
    Q_EMIT busyChanged(false);
    if (kind == Request::NextPage) {
        if (reply.error.isError()) {
            // No automatic retry: the view would ask again at once. The next query starts afresh.
            m_pagingFailed = true;
            m_lastError = reply.error;
            Q_EMIT errorOccurred(reply.error);
            return;
        }
        const UserPage page = UserPage::fromReply(reply);
        m_nextLink = page.nextLink;
        if (!page.users.isEmpty()) {
            const int first = static_cast<int>(m_users.size());
            beginInsertRows(QModelIndex(), first, first + static_cast<int>(page.users.size()) - 1);
            m_users.append(page.users);
            endInsertRows();
        }
        return;
    }

    if (reply.error.isError()) {
        if (kind == Request::Lookup && reply.error.kind == GraphError::Kind::NotFound) {
            replaceRows({});
            setState(State::NoMatches);
            return;
        }
        replaceRows({});
        m_lastError = reply.error;
        setState(State::Failed);
        Q_EMIT errorOccurred(reply.error);
        return;
    }
    if (kind == Request::Lookup) {
        const DirectoryUser user = DirectoryUser::fromJson(reply.json);
        replaceRows(user.id.isEmpty() ? QList<DirectoryUser>{} : QList<DirectoryUser>{user});
    } else {
        const UserPage page = UserPage::fromReply(reply);
        replaceRows(page.users);
        m_nextLink = page.nextLink;
        m_totalCount = page.count;
    }
    setState(m_users.isEmpty() ? State::NoMatches : State::Results);
}

void UserSearchModel::replaceRows(const QList<DirectoryUser>& users)
{
    beginResetModel();
    m_users = users;
    m_nextLink.clear();
    m_pagingFailed = false;
    m_totalCount.reset();
    endResetModel();
}

void UserSearchModel::setState(State state)
{
    // Always announced, also when unchanged: a new query with the same outcome still has a new text to show.
    m_state = state;
    Q_EMIT stateChanged(state);
}

DirectoryUser UserSearchModel::user(int row) const
{
    return row >= 0 && row < m_users.size() ? m_users.at(row) : DirectoryUser();
}

int UserSearchModel::rowOfUser(const QString& objectId) const
{
    for (qsizetype row = 0; row < m_users.size(); ++row) {
        if (m_users.at(row).id.compare(objectId, Qt::CaseInsensitive) == 0) {
            return static_cast<int>(row);
        }
    }
    return -1;
}

void UserSearchModel::updateUser(const DirectoryUser& user)
{
    const int row = rowOfUser(user.id);
    if (row < 0) {
        return;
    }
    m_users[row] = user;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int UserSearchModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_users.size());
}

int UserSearchModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UserSearchModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_users.size()) {
        return {};
    }
    const DirectoryUser& user = m_users.at(index.row());
    switch (role) {
    case ObjectIdRole:
        return user.id;
    case UserPrincipalNameRole:
        return user.userPrincipalName;
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case NameColumn:
            return user.isGuest() ? tr("%1 (guest)").arg(user.displayName) : user.displayName;
        case UpnColumn:
            return user.userPrincipalName;
        case MailColumn:
            return user.mail;
        case DepartmentColumn:
            return user.department;
        case JobTitleColumn:
            return user.jobTitle;
        case EnabledColumn:
            if (!user.accountEnabled.has_value()) {
                return QString();
            }
            return *user.accountEnabled ? tr("Enabled") : tr("Disabled");
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant UserSearchModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case NameColumn:
        return tr("Name");
    case UpnColumn:
        return tr("UPN");
    case MailColumn:
        return tr("Mail");
    case DepartmentColumn:
        return tr("Department");
    case JobTitleColumn:
        return tr("Job title");
    case EnabledColumn:
        return tr("Enabled");
    default:
        return {};
    }
}

bool UserSearchModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && m_graph && !m_nextLink.isEmpty() && !m_job && !m_pagingFailed &&
           m_state == State::Results;
}

void UserSearchModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent)) {
        return;
    }
    start(m_graph->nextPage(m_nextLink), Request::NextPage);
}
