#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSettings;
class QSplitter;
class QTableView;

namespace model {
class DeliveryDetailSource;
class DeliveryLogFilterProxy;
class DeliveryLogModel;
class FleetCommands;
struct DeliveryDetail;
} // namespace model

namespace ui {

// The delivery log beside the stored form of the selected delivery: its kept headers and its body,
// pretty-printed. Bodies are fetched through model::DeliveryDetailSource, never read here: selecting
// a row asks for it, and an answer for a row that is no longer selected is dropped, so scrolling
// quickly never shows the wrong delivery. "Replay" feeds the selected delivery through the pipeline
// again (model::FleetCommands); deliveries that kept no body (bad signature) cannot be replayed.
class DeliveryInspector final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryInspector)
public:
    // None may be null; all must outlive the inspector.
    DeliveryInspector(model::DeliveryLogModel *log, model::DeliveryDetailSource *details,
                      model::FleetCommands *commands, QWidget *parent = nullptr);
    ~DeliveryInspector() override;

    // The delivery shown, 0 when none. A shown delivery stays shown (and replayable) when it is
    // evicted from the live log, though its row, and so the table's selection, are gone.
    qint64 selectedJournalId() const { return m_selectedId; }

    // Splitter positions, column order, widths and sort order.
    void saveSettings(QSettings &settings) const;
    void restoreSettings(const QSettings &settings);

    QTableView *view() const { return m_view; }
    model::DeliveryLogFilterProxy *proxyModel() const { return m_proxy; }
    QComboBox *verdictFilter() const { return m_verdictFilter; }
    QComboBox *eventTypeFilter() const { return m_eventTypeFilter; }
    QPlainTextEdit *headersView() const { return m_headers; }
    QPlainTextEdit *bodyView() const { return m_body; }
    QPushButton *replayButton() const { return m_replay; }
    QLabel *titleLabel() const { return m_title; }
    QSplitter *splitter() const { return m_splitter; }

public Q_SLOTS:
    void replaySelected();

private:
    QWidget *createLogPane();
    QWidget *createDetailPane();
    void applyDefaultColumnWidths();
    void onSelectionChanged();
    void onLogRowsAboutToBeRemoved(int first, int last);
    void onDetailReady(const model::DeliveryDetail &detail);
    void showPlaceholder(const QString &text);
    void applyVerdictFilter();
    void applyEventTypeFilter(const QString &text);
    void learnEventTypes(int first, int last);
    void updateCountLabel();

    model::DeliveryLogModel *m_log;
    model::DeliveryDetailSource *m_details;
    model::FleetCommands *m_commands;
    model::DeliveryLogFilterProxy *m_proxy;
    qint64 m_selectedId = 0;
    bool m_replayable = false;
    bool m_evictingSelection = false; // the selection is cleared because its row is being evicted

    QSplitter *m_splitter = nullptr;
    QSplitter *m_detailSplitter = nullptr;
    QComboBox *m_verdictFilter = nullptr;
    QComboBox *m_eventTypeFilter = nullptr;
    QLabel *m_countLabel = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_title = nullptr;
    QPushButton *m_replay = nullptr;
    QPlainTextEdit *m_headers = nullptr;
    QPlainTextEdit *m_body = nullptr;
};

} // namespace ui
