/// A line chart as inline SVG (throughput over a run): one series of (x, y) points, drawn as a
/// polyline over a filled area, with value ticks on both axes.
struct LineChart {
    struct Point: Equatable {
        var x: Double
        var y: Double
    }

    var title: String
    var points: [Point]
    var xLabel: String
    var yLabel: String
    var width: Double = 680
    var height: Double = 220

    func svg() -> String {
        let left = 60.0, right = 16.0, top = 22.0, bottom = 40.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let xAxis = ChartAxis(maximum: points.map(\.x).max() ?? 0, count: 6)
        let yAxis = ChartAxis(maximum: points.map(\.y).max() ?? 0)
        func px(_ x: Double) -> Double { left + xAxis.scale(x, length: plotWidth) }
        func py(_ y: Double) -> Double { top + plotHeight - yAxis.scale(y, length: plotHeight) }
        let c = ChartNumber.coordinate
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"100%\" aria-label=\"\(HTML.escape(title))\"><title>\(HTML.escape(title))</title>"
        out += "<text x=\"\(c(left))\" y=\"12\" font-size=\"11\">\(HTML.escape(yLabel))</text>"
        for tick in yAxis.ticks {
            out +=
                "<line x1=\"\(c(left))\" x2=\"\(c(width - right))\" y1=\"\(c(py(tick)))\" y2=\"\(c(py(tick)))\" stroke=\"#d9d9d9\" stroke-width=\"1\"/>"
            out +=
                "<text x=\"\(c(left - 6))\" y=\"\(c(py(tick) + 4))\" font-size=\"10\" text-anchor=\"end\">\(HTML.escape(ChartNumber.short(tick)))</text>"
        }
        for tick in xAxis.ticks {
            out +=
                "<text x=\"\(c(px(tick)))\" y=\"\(c(top + plotHeight + 16))\" font-size=\"10\" text-anchor=\"middle\">\(HTML.escape(ChartNumber.short(tick)))</text>"
        }
        out +=
            "<text x=\"\(c(left + plotWidth / 2))\" y=\"\(c(height - 4))\" font-size=\"11\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        out +=
            "<line x1=\"\(c(left))\" x2=\"\(c(width - right))\" y1=\"\(c(top + plotHeight))\" y2=\"\(c(top + plotHeight))\" stroke=\"#333\" stroke-width=\"1\"/>"
        if points.count >= 2 {
            let line = points.map { "\(c(px($0.x))),\(c(py($0.y)))" }.joined(separator: " ")
            let area = "\(c(px(points[0].x))),\(c(py(0))) " + line + " \(c(px(points[points.count - 1].x))),\(c(py(0)))"
            out += "<polygon points=\"\(area)\" fill=\"#2f6fb0\" fill-opacity=\"0.15\" stroke=\"none\"/>"
            out += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"#2f6fb0\" stroke-width=\"2\" stroke-linejoin=\"round\"/>"
        } else {
            out +=
                "<text x=\"\(c(left + plotWidth / 2))\" y=\"\(c(top + plotHeight / 2))\" font-size=\"12\" text-anchor=\"middle\">not enough samples</text>"
        }
        return out + "</svg>"
    }
}
