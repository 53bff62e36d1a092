#pragma once

#include <QJsonObject>
#include <QList>

#include <algorithm>
#include <cmath>

// Measured values (milliseconds, or whatever unit the benchmark says) and their order statistics.
class Samples
{
public:
    void add(double value)
    {
        m_values.append(value);
        m_sorted = false;
    }
    qsizetype size() const { return m_values.size(); }
    bool isEmpty() const { return m_values.isEmpty(); }

    // Nearest-rank percentile, p in [0, 100]; 0 without samples.
    double percentile(double p) const
    {
        sort();
        if (m_values.isEmpty()) {
            return 0;
        }
        const auto count = static_cast<double>(m_values.size());
        const auto rank = static_cast<qsizetype>(std::ceil(p / 100.0 * count));
        return m_values.at(std::clamp<qsizetype>(rank - 1, 0, m_values.size() - 1));
    }
    double median() const { return percentile(50); }
    double max() const { return percentile(100); }
    qsizetype countAbove(double limit) const
    {
        return std::count_if(m_values.cbegin(), m_values.cend(), [limit](double v) { return v > limit; });
    }

    // {"n", "p50", "p90", "p99", "p999", "max"}
    QJsonObject summary() const
    {
        return {{QStringLiteral("n"), static_cast<double>(size())},
                {QStringLiteral("p50"), median()},
                {QStringLiteral("p90"), percentile(90)},
                {QStringLiteral("p99"), percentile(99)},
                {QStringLiteral("p999"), percentile(99.9)},
                {QStringLiteral("max"), max()}};
    }

private:
    void sort() const
    {
        if (!m_sorted) {
            std::sort(m_values.begin(), m_values.end());
            m_sorted = true;
        }
    }

    mutable QList<double> m_values;
    mutable bool m_sorted = true;
};
