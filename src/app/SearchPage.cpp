#include "SearchPage.h"

#include "TimeText.h"
#include "UserSearchModel.h"
#include "ui_SearchPage.h"

#include <QHeaderView>
#include <QKeyEvent>

namespace {
constexpr int kDetailsWidth = 400;

// The later of the two valid-from properties: v1.0's signInSessions and beta's refreshTokens.
QDateTime validFrom(const DirectoryUser& user)
{
    if (!user.refreshTokensValidFrom.isValid()) {
        return user.signInSessionsValidFrom;
    }
    if (!user.signInSessionsValidFrom.isValid()) {
        return user.refreshTokensValidFrom;
    }
    return std::max(user.signInSessionsValidFrom, user.refreshTokensValidFrom);
}
} // namespace

SearchPage::SearchPage(UserSearchModel& model, QWidget* parent)
    : QWidget(parent), m_ui(new Ui::SearchPage), m_model(model)
{
    m_ui->setupUi(this);
    QFont nameFont = m_ui->detailsNameLabel->font();
    nameFont.setBold(true);
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.2);
    m_ui->detailsNameLabel->setFont(nameFont);

    m_ui->resultsView->setModel(&m_model);
    QHeaderView* header = m_ui->resultsView->horizontalHeader();
    const int widths[UserSearchModel::ColumnCount] = {130, 170, 170, 100, 110, 60};
    for (int column = 0; column < UserSearchModel::ColumnCount; ++column) {
        header->resizeSection(column, widths[column]);
    }
    m_ui->resultsSplitter->setStretchFactor(0, 1);
    m_ui->resultsSplitter->setStretchFactor(1, 0);
    const int available = parent ? parent->width() : width();
    m_ui->resultsSplitter->setSizes({std::max(0, available - kDetailsWidth), kDetailsWidth});
    m_ui->resultsView->installEventFilter(this);

    connect(&m_model, &UserSearchModel::stateChanged, this, &SearchPage::updateSearchState);
    connect(&m_model, &QAbstractItemModel::rowsInserted, this, &SearchPage::updateSearchState);
    connect(m_ui->resultsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &SearchPage::selectionChanged);
    connect(m_ui->resultsView, &QAbstractItemView::doubleClicked, this, &SearchPage::revokeRequested);
    connect(m_ui->revokeDetailsButton, &QPushButton::clicked, this, &SearchPage::revokeRequested);
    connect(m_ui->copyIdButton, &QToolButton::clicked, this, &SearchPage::copyObjectIdRequested);

    m_ui->revokeDetailsButton->setEnabled(false);
    updateSearchState();
    showDetails(std::nullopt);
}

SearchPage::~SearchPage() = default;

QTableView* SearchPage::resultsView() const
{
    return m_ui->resultsView;
}

std::optional<DirectoryUser> SearchPage::selectedUser() const
{
    const QModelIndexList rows = m_ui->resultsView->selectionModel()->selectedRows();
    if (rows.size() != 1) {
        return std::nullopt;
    }
    return m_model.user(rows.first().row());
}

void SearchPage::setRevokeEnabled(bool enabled)
{
    m_ui->revokeDetailsButton->setEnabled(enabled);
}

void SearchPage::focusResults()
{
    QTableView* view = m_ui->resultsView;
    view->setFocus(Qt::TabFocusReason);
    if (!view->selectionModel()->hasSelection() && m_model.rowCount() > 0) {
        view->selectRow(0);
    }
}

bool SearchPage::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_ui->resultsView && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
            (key->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier) {
            Q_EMIT revokeRequested();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void SearchPage::updateSearchState()
{
    using State = UserSearchModel::State;
    const UserSearchModel::State state = m_model.state();
    const QString query = m_model.query();
    const int rows = m_model.rowCount();
    switch (state) {
    case State::Empty:
    case State::TooShort:
        m_ui->resultsHintLabel->setText(tr("Type at least 2 characters of a name, email address, UPN or object id."));
        break;
    case State::Loading:
        m_ui->resultsHintLabel->setText(tr("Searching for '%1'…").arg(query));
        break;
    case State::NoMatches:
        m_ui->resultsHintLabel->setText(tr("No one matches '%1'").arg(query));
        break;
    case State::Failed:
        m_ui->resultsHintLabel->setText(tr("Could not search for '%1'.").arg(query));
        break;
    case State::Results:
        break;
    }
    m_ui->resultsStack->setCurrentWidget(rows > 0 ? m_ui->resultsTablePage : m_ui->resultsHintPage);
    const std::optional<qint64> total = m_model.totalCount();
    if (total && *total > rows) {
        m_ui->resultsCountLabel->setText(tr("%1 of %2 shown; scroll down for more").arg(rows).arg(*total));
    } else {
        m_ui->resultsCountLabel->setText(rows == 1 ? tr("1 person") : tr("%1 people").arg(rows));
    }
    // One match (an object id or UPN typed in full): it is the one the operator meant to pick.
    if (state == State::Results && rows == 1 && !m_ui->resultsView->selectionModel()->hasSelection()) {
        m_ui->resultsView->selectRow(0);
    }
}

void SearchPage::showDetails(const std::optional<DirectoryUser>& selected)
{
    if (!selected) {
        m_ui->detailsStack->setCurrentWidget(m_ui->detailsEmptyPage);
        return;
    }
    const DirectoryUser& user = *selected;
    m_ui->detailsStack->setCurrentWidget(m_ui->detailsUserPage);
    m_ui->detailsNameLabel->setText(user.displayName);
    m_ui->detailsUpnLabel->setText(user.userPrincipalName);
    m_ui->detailsMailLabel->setText(user.mail);
    m_ui->detailsMailLabel->setVisible(!user.mail.isEmpty() &&
                                       user.mail.compare(user.userPrincipalName, Qt::CaseInsensitive) != 0);
    QStringList info;
    for (const QString& part : {user.department, user.jobTitle}) {
        if (!part.isEmpty()) {
            info.append(part);
        }
    }
    if (user.accountEnabled.has_value()) {
        info.append(*user.accountEnabled ? tr("enabled") : tr("disabled"));
    }
    m_ui->detailsInfoLabel->setText(info.join(QStringLiteral(" · ")));
    m_ui->detailsGuestLabel->setVisible(user.isGuest());
    m_ui->detailsIdLabel->setText(user.id);
    const QDateTime from = validFrom(user);
    m_ui->detailsValidFromLabel->setText(from.isValid() ? localTimeText(from) : tr("not known"));
}
