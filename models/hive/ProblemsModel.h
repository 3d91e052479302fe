#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QList>

namespace hivewatch {

struct ShapeStatus;

// The Problems dock's rows: one per shape, profile and distinct warning text, with how often it
// came and when last. Fed by the shapes' statuses (their warning count and last text), so the
// warnings an operator would otherwise only find in hivectl's output stay visible while the
// rows keep syncing. Rows outlive a hive switch; the profile column tells them apart.
class ProblemsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Shape, Profile, Text, Count, ColumnCount };
    static constexpr int ShapeRole = Qt::UserRole + 1; // the shape's name, on every column

    explicit ProblemsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The profile whose shapes report from now on.
    void setProfile(const QString &profile) { m_profile = profile; }
    // A new worker reports: its shapes count from zero.
    void restartCounts() { m_counted.clear(); }
    // Adds what the status counts beyond what this model saw of the shape.
    void setStatus(const ShapeStatus &status);
    // Empties the list (the operator has read it).
    void clear();

private:
    struct Problem
    {
        QDateTime at;
        QString shape;
        QString profile;
        QString text;
        qint64 count = 0;
    };
    void add(const QString &shape, const QString &text, qint64 count, const QDateTime &at);

    QList<Problem> m_problems; // newest last
    QHash<QString, qint64> m_counted; // per shape: the warning count already listed
    QString m_profile;
};

} // namespace hivewatch
