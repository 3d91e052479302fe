// CapacityMeter rendered offscreen with a known palette: which part of the bar shows slots in
// use, free slots and work beyond the reported slots, where slot boundaries fall, and what the
// tooltip and screen readers are told.
#include "ui/hive/AlertColor.h"
#include "ui/hive/CapacityMeter.h"

#include <QApplication>
#include <QImage>
#include <QTest>

using namespace hivewatch;

class TestCapacityMeter : public QObject
{
    Q_OBJECT

private:
    static constexpr QRgb kBase = 0xffffffff;
    static constexpr QRgb kHighlight = 0xff2060c0;
    static constexpr QRgb kMid = 0xff808080;

    // A meter 202 px wide: the bar inside its 1 px frame is 200 px, so of 8 slots, slot n
    // starts at x = 1 + 25 n.
    static QImage render(int used, int total)
    {
        CapacityMeter meter;
        QPalette palette;
        palette.setColor(QPalette::Base, QColor::fromRgb(kBase));
        palette.setColor(QPalette::Highlight, QColor::fromRgb(kHighlight));
        palette.setColor(QPalette::Mid, QColor::fromRgb(kMid));
        meter.setPalette(palette);
        meter.setCapacity(used, total);
        meter.resize(202, 16);
        QImage image(meter.size(), QImage::Format_ARGB32);
        image.fill(Qt::black); // the meter must paint every pixel itself
        meter.render(&image);
        return image;
    }
    // The colours along the bar's middle row, as runs: "highlight 75|base 125".
    static QString runs(const QImage &image)
    {
        const int y = image.height() / 2;
        const auto name = [](QRgb rgb) {
            if (rgb == kBase)
                return QStringLiteral("base");
            if (rgb == kHighlight)
                return QStringLiteral("highlight");
            if (rgb == kMid)
                return QStringLiteral("frame");
            if (rgb == alertColor().rgb())
                return QStringLiteral("over");
            return QStringLiteral("#%1").arg(rgb, 8, 16, QLatin1Char('0'));
        };
        QStringList out;
        QString current;
        int length = 0;
        for (int x = 0; x < image.width(); ++x) {
            const QString here = name(image.pixel(x, y));
            if (here != current && length > 0) {
                out.append(QStringLiteral("%1 %2").arg(current).arg(length));
                length = 0;
            }
            current = here;
            ++length;
        }
        out.append(QStringLiteral("%1 %2").arg(current).arg(length));
        return out.join(QLatin1Char('|'));
    }

private slots:
    void slotsInUseAndFreeSlotsWithTheirBoundaries()
    {
        // 3 of 8: three slots of 25 px in use, each boundary a 1 px gap in the base colour.
        QCOMPARE(runs(render(3, 8)),
                 QStringLiteral("frame 1|highlight 25|base 1|highlight 24|"
                                "base 1|highlight 24|base 125|frame 1"));
    }

    void workBeyondTheReportedSlotsShowsAsItsShareOfAllTheWork()
    {
        // 12 of 8 used to draw a plain full bar. Now the bar spans the 12: 8 in use, 4 over.
        const QImage image = render(12, 8);
        const int y = image.height() / 2;
        QCOMPARE(image.pixel(60, y), kHighlight); // within the 8 reported slots (x 1-133)
        QCOMPARE(image.pixel(180, y), alertColor().rgb()); // within the 4 over
        QCOMPARE(runs(image).count(QStringLiteral("over")), 4);
        QVERIFY(!runs(image).contains(QLatin1Char('#')));
    }

    void noSlotsAndNoWorkIsAnEmptyBarAndNoSlotsWithWorkIsAllOver()
    {
        QCOMPARE(runs(render(0, 0)), QStringLiteral("frame 1|base 200|frame 1"));
        QCOMPARE(runs(render(2, 0)), QStringLiteral("frame 1|over 100|base 1|over 99|frame 1"));
        // Negative counts are nonsense from upstream: shown as nothing, not as a broken bar.
        QCOMPARE(runs(render(-3, -1)), QStringLiteral("frame 1|base 200|frame 1"));
    }

    void manySlotsAreAPlainShare()
    {
        // 150 of 400: slots under 6 px wide get no boundaries; 150/400 of 200 px is 75 px.
        QCOMPARE(runs(render(150, 400)), QStringLiteral("frame 1|highlight 75|base 125|frame 1"));
    }

    void tooltipAndScreenReadersAreToldTheCounts()
    {
        CapacityMeter meter;
        QCOMPARE(meter.toolTip(), QStringLiteral("0 of 0 slots in use"));
        meter.setCapacity(3, 8);
        QCOMPARE(meter.toolTip(), QStringLiteral("3 of 8 slots in use"));
        QCOMPARE(meter.accessibleDescription(), meter.toolTip());
        QCOMPARE(meter.accessibleName(), QStringLiteral("Capacity"));
        meter.setCapacity(12, 8);
        QCOMPARE(meter.toolTip(),
                 QStringLiteral("12 of 8 slots in use; 4 more than the nodes report slots for"));
        QCOMPARE(meter.used(), 12);
        QCOMPARE(meter.total(), 8);
    }
};

QTEST_MAIN(TestCapacityMeter)
#include "tst_capacitymeter.moc"
