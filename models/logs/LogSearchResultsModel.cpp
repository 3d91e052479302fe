#include "models/logs/LogSearchResultsModel.h"

#include "models/logs/LogExecutionModel.h"
#include "models/logs/LogLineReader.h"

#include <QMetaObject>

namespace hivewatch {

namespace {

// Internal ids: 0 for an execution row, group + 1 for a line row under that group.
constexpr quintptr kTopLevel = 0;

} // namespace

LogSearchResultsModel::LogSearchResultsModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_reader(std::make_unique<LogLineReader>(QString()))
    , m_worker(QStringLiteral("LogSearchResults"))
{
    m_worker.start();
}

LogSearchResultsModel::~LogSearchResultsModel()
{
    LogLineReader *reader = m_reader.get();
    m_worker.cancel([reader] { reader->interrupt(); });
    m_worker.post([reader] { reader->close(); });
    m_worker.shutdown();
}

void LogSearchResultsModel::setExecutionModel(const LogExecutionModel *executions)
{
    m_executions = executions;
}

void LogSearchResultsModel::setStorePath(const QString &path)
{
    m_reader->setPath(path);
    setSearch({});
}

QModelIndex LogSearchResultsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column != 0 || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_result.groups.size() ? createIndex(row, 0, kTopLevel) : QModelIndex();
    if (parent.internalId() != kTopLevel || parent.row() >= m_result.groups.size())
        return {};
    if (row >= m_result.groups.at(parent.row()).lines.size())
        return {};
    return createIndex(row, 0, quintptr(parent.row()) + 1);
}

QModelIndex LogSearchResultsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kTopLevel)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kTopLevel);
}

int LogSearchResultsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_result.groups.size());
    if (parent.internalId() != kTopLevel || parent.column() != 0)
        return 0;
    return int(m_result.groups.at(parent.row()).lines.size());
}

int LogSearchResultsModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QString LogSearchResultsModel::label(const QUuid &executionId) const
{
    const int row = m_executions ? m_executions->rowOf(executionId) : -1;
    return row >= 0 ? m_executions->label(row) : executionId.toString(QUuid::WithoutBraces);
}

QVariant LogSearchResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == kTopLevel) {
        const LogSearchGroup &group = m_result.groups.at(index.row());
        switch (role) {
        case Qt::DisplayRole:
            return tr("%1 — %n hit(s)", nullptr, int(qMin<qint64>(group.hits, INT_MAX)))
                .arg(label(group.executionId));
        case Qt::ToolTipRole:
            return group.executionId.toString(QUuid::WithoutBraces);
        case ExecutionIdRole:
            return group.executionId;
        case HitsRole:
            return group.hits;
        case LineNumberRole:
            return qint64(0);
        }
        return {};
    }
    const LogSearchGroup &group = m_result.groups.at(int(index.internalId() - 1));
    const LogSearchLine &line = group.lines.at(index.row());
    switch (role) {
    case Qt::DisplayRole: {
        QString text = line.entry.content.left(300);
        text.replace(u'\n', QChar(0x23ce));
        return QStringLiteral("%1  %2").arg(line.lineNumber).arg(text);
    }
    case Qt::ToolTipRole:
        return QString(line.entry.timestamp + QStringLiteral(" [") + line.entry.outputType
                       + QStringLiteral("]"));
    case ExecutionIdRole:
        return group.executionId;
    case LineNumberRole:
        return line.lineNumber;
    }
    return {};
}

void LogSearchResultsModel::setSearch(const LogSearchQuery &query)
{
    LogLineReader *reader = m_reader.get();
    m_worker.cancel([reader] { reader->interrupt(); });
    const quint64 token = ++m_token;
    if (query.text.isEmpty()) {
        beginResetModel();
        m_result = {};
        m_lastError.clear();
        endResetModel();
        if (m_searching) {
            m_searching = false;
            emit searchingChanged(false);
        }
        emit searchFinished();
        return;
    }
    LogSearchQuery all = query;
    all.executionId.reset();
    all.context = 0;
    all.maxLines = MaxLines;
    m_worker.post([this, reader, token, all] {
        if (token != m_token)
            return;
        const auto result = reader->search(all);
        if (token != m_token)
            return; // interrupted or outrun: nobody waits for it
        QMetaObject::invokeMethod(
            this,
            [this, token, r = result ? result.value() : LogSearchResult(),
             error = result ? QString() : result.error().toString()] { onSearch(token, r, error); },
            Qt::QueuedConnection);
    });
    if (!m_searching) {
        m_searching = true;
        emit searchingChanged(true);
    }
}

void LogSearchResultsModel::onSearch(quint64 token, const LogSearchResult &result,
                                     const QString &error)
{
    if (token != m_token)
        return;
    beginResetModel();
    m_result = result;
    m_lastError = error;
    endResetModel();
    m_searching = false;
    emit searchingChanged(false);
    emit searchFinished();
}

} // namespace hivewatch
