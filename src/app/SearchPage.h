#pragma once

#include "DirectoryUser.h"

#include <QScopedPointer>
#include <QWidget>

#include <optional>

namespace Ui {
class SearchPage;
}
class QTableView;
class UserSearchModel;

// The signed-in operator's page: the people a search found (a table over UserSearchModel, paging as it scrolls)
// and, beside it, who the selected person is. MainWindow builds it on the first sign-in, not at start-up: a window
// that has not signed in yet has nothing to show here, and laying out a table, a splitter and a dozen word-wrapped
// labels nobody sees costs the first paint (bench/README.md, "app").
class SearchPage : public QWidget
{
    Q_OBJECT

public:
    explicit SearchPage(UserSearchModel& model, QWidget* parent = nullptr);
    ~SearchPage() override;

    QTableView* resultsView() const;
    // The person of the one selected row; none when no row (or more than one) is selected.
    std::optional<DirectoryUser> selectedUser() const;
    // Shows who `user` is, or asks the operator to pick someone.
    void showDetails(const std::optional<DirectoryUser>& user);
    void setRevokeEnabled(bool enabled);
    // From the search box's Down key: into the results, the first row selected when none is.
    void focusResults();

Q_SIGNALS:
    void selectionChanged();
    // Enter on a result, a double click, or the details pane's "Revoke sessions…".
    void revokeRequested();
    void copyObjectIdRequested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateSearchState();

    const QScopedPointer<Ui::SearchPage> m_ui;
    UserSearchModel& m_model;
};
