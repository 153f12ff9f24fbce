/// A bar chart as inline SVG: vertical stacked columns (daily volumes) or horizontal bars
/// (counts by brand, country or error code). Labels are escaped; colours are attributes, so
/// the chart needs no style sheet.
struct BarChart {
    enum Orientation { case vertical, horizontal }

    struct Bar {
        var label: String
        /// One value per series, stacked in series order.
        var values: [Double]
        var total: Double { values.reduce(0) { $0 + max(0, $1) } }
    }

    /// Shown to screen readers and as the SVG's title.
    var title: String
    var series: [String]
    var bars: [Bar]
    var orientation: Orientation = .vertical
    var width: Double = 680

    /// Series colours, in order: new, existing, rejected; enough contrast in grey print too.
    static let palette = ["#2f6fb0", "#8fb8de", "#c8553d", "#6a994e", "#f2a541", "#7d5ba6"]

    func svg() -> String {
        orientation == .vertical ? verticalSVG() : horizontalSVG()
    }

    private func color(_ index: Int) -> String { BarChart.palette[index % BarChart.palette.count] }

    private func header(height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 \(ChartNumber.coordinate(width)) \(ChartNumber.coordinate(height))\" width=\"100%\" aria-label=\"\(HTML.escape(title))\"><title>\(HTML.escape(title))</title>"
    }

    private func legend(y: Double) -> String {
        guard series.count > 1 else { return "" }
        var out = ""
        var x = 48.0
        for (index, name) in series.enumerated() {
            out +=
                "<rect x=\"\(ChartNumber.coordinate(x))\" y=\"\(ChartNumber.coordinate(y - 9))\" width=\"10\" height=\"10\" fill=\"\(color(index))\"/>"
            out +=
                "<text x=\"\(ChartNumber.coordinate(x + 14))\" y=\"\(ChartNumber.coordinate(y))\" font-size=\"11\">\(HTML.escape(name))</text>"
            x += 24 + Double(name.count) * 6.5
        }
        return out
    }

    private func verticalSVG() -> String {
        let height = 240.0
        let left = 56.0, right = 12.0, top = 26.0, bottom = 44.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let axis = ChartAxis(maximum: bars.map(\.total).max() ?? 0)
        var out = header(height: height)
        out += legend(y: 14)
        for tick in axis.ticks {
            let y = top + plotHeight - axis.scale(tick, length: plotHeight)
            out +=
                "<line x1=\"\(ChartNumber.coordinate(left))\" x2=\"\(ChartNumber.coordinate(width - right))\" y1=\"\(ChartNumber.coordinate(y))\" y2=\"\(ChartNumber.coordinate(y))\" stroke=\"#d9d9d9\" stroke-width=\"1\"/>"
            out +=
                "<text x=\"\(ChartNumber.coordinate(left - 6))\" y=\"\(ChartNumber.coordinate(y + 4))\" font-size=\"10\" text-anchor=\"end\">\(HTML.escape(ChartNumber.short(tick)))</text>"
        }
        guard !bars.isEmpty else {
            out +=
                "<text x=\"\(ChartNumber.coordinate(width / 2))\" y=\"\(ChartNumber.coordinate(top + plotHeight / 2))\" font-size=\"12\" text-anchor=\"middle\">no data</text>"
            return out + "</svg>"
        }
        let slot = plotWidth / Double(bars.count)
        let barWidth = max(1, min(48, slot * 0.7))
        // Label every bar while they fit, else every n-th.
        let labelEvery = max(1, Int((64 / slot).rounded(.up)))
        for (index, bar) in bars.enumerated() {
            let x = left + slot * Double(index) + (slot - barWidth) / 2
            var base = 0.0
            for (seriesIndex, value) in bar.values.enumerated() where value > 0 {
                let y0 = axis.scale(base, length: plotHeight), y1 = axis.scale(base + value, length: plotHeight)
                out +=
                    "<rect x=\"\(ChartNumber.coordinate(x))\" y=\"\(ChartNumber.coordinate(top + plotHeight - y1))\" width=\"\(ChartNumber.coordinate(barWidth))\" height=\"\(ChartNumber.coordinate(y1 - y0))\" fill=\"\(color(seriesIndex))\"><title>\(HTML.escape("\(bar.label) \(series.indices.contains(seriesIndex) ? series[seriesIndex] : ""): \(ChartNumber.grouped(Int(value)))"))</title></rect>"
                base += value
            }
            if index % labelEvery == 0 {
                out +=
                    "<text x=\"\(ChartNumber.coordinate(x + barWidth / 2))\" y=\"\(ChartNumber.coordinate(height - bottom + 16))\" font-size=\"10\" text-anchor=\"middle\">\(HTML.escape(bar.label))</text>"
            }
        }
        out +=
            "<line x1=\"\(ChartNumber.coordinate(left))\" x2=\"\(ChartNumber.coordinate(width - right))\" y1=\"\(ChartNumber.coordinate(top + plotHeight))\" y2=\"\(ChartNumber.coordinate(top + plotHeight))\" stroke=\"#333\" stroke-width=\"1\"/>"
        return out + "</svg>"
    }

    private func horizontalSVG() -> String {
        let rowHeight = 22.0
        let labelWidth = 170.0, right = 70.0, top = series.count > 1 ? 24.0 : 6.0
        let height = top + rowHeight * Double(max(1, bars.count)) + 6
        let plotWidth = width - labelWidth - right
        let axis = ChartAxis(maximum: bars.map(\.total).max() ?? 0)
        var out = header(height: height)
        out += legend(y: 14)
        guard !bars.isEmpty else {
            out +=
                "<text x=\"\(ChartNumber.coordinate(labelWidth))\" y=\"\(ChartNumber.coordinate(top + 15))\" font-size=\"12\">none</text>"
            return out + "</svg>"
        }
        for (index, bar) in bars.enumerated() {
            let y = top + rowHeight * Double(index)
            let label = bar.label.count > 26 ? String(bar.label.prefix(25)) + "…" : bar.label
            out +=
                "<text x=\"\(ChartNumber.coordinate(labelWidth - 8))\" y=\"\(ChartNumber.coordinate(y + 15))\" font-size=\"11\" text-anchor=\"end\">\(HTML.escape(label))</text>"
            var base = 0.0
            for (seriesIndex, value) in bar.values.enumerated() where value > 0 {
                let x0 = axis.scale(base, length: plotWidth), x1 = axis.scale(base + value, length: plotWidth)
                out +=
                    "<rect x=\"\(ChartNumber.coordinate(labelWidth + x0))\" y=\"\(ChartNumber.coordinate(y + 4))\" width=\"\(ChartNumber.coordinate(max(1, x1 - x0)))\" height=\"\(ChartNumber.coordinate(rowHeight - 8))\" fill=\"\(color(seriesIndex))\"/>"
                base += value
            }
            let end = labelWidth + axis.scale(bar.total, length: plotWidth)
            out +=
                "<text x=\"\(ChartNumber.coordinate(end + 6))\" y=\"\(ChartNumber.coordinate(y + 15))\" font-size=\"11\">\(HTML.escape(ChartNumber.grouped(Int(bar.total))))</text>"
        }
        return out + "</svg>"
    }
}
