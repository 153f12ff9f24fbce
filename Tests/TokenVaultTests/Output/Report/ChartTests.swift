import Foundation
import Testing

@testable import TokenVault

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The SVG writers: nice axes, well-formed XML, shapes that match the data, escaped labels.
@Suite struct ChartTests {
    @Test(arguments: [
        (0.0, [0.0, 0.25, 0.5, 0.75, 1]),
        (7.0, [0.0, 2, 4, 6, 8]),
        (100.0, [0.0, 25, 50, 75, 100]),
        (1234.0, [0.0, 500, 1000, 1500]),
        (273_559.0, [0.0, 100_000, 200_000, 300_000]),
    ])
    func axisTicksAreNiceAndCoverTheMaximum(maximum: Double, ticks: [Double]) {
        let axis = ChartAxis(maximum: maximum)
        #expect(axis.ticks == ticks)
        #expect(axis.top >= maximum)
        #expect(axis.scale(axis.top, length: 200) == 200)
        #expect(axis.scale(.nan, length: 200) == 0)
    }

    /// Element names and attributes of a well-formed XML document (the parser fails otherwise).
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var text = ""
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            elements.append((name, attributes))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    func parse(_ svg: String) throws -> Collector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        try #require(parser.parse(), "not well-formed: \(svg.prefix(300))")
        return collector
    }

    @Test func stackedBarsHaveOneRectanglePerNonZeroValueScaledToTheAxis() throws {
        let chart = BarChart(
            title: "daily <volumes>", series: ["new", "existing", "rejected"],
            bars: [
                .init(label: "12-01", values: [100, 50, 0]),
                .init(label: "<b>12-02", values: [300, 0, 25]),
            ])
        let svg = chart.svg()
        let parsed = try parse(svg)
        // 3 legend swatches + 4 bar segments.
        let rects = parsed.elements.filter { $0.name == "rect" }
        #expect(rects.count == 3 + 4)
        let heights = rects.dropFirst(3).compactMap { Double($0.attributes["height"] ?? "") }
        // Axis 0…400 over 170 px: 100 → 42.5, 50 → 21.3 (rounded to 0.1), 300 → 127.5, 25 → 10.6.
        #expect(heights == [42.5, 21.3, 127.5, 10.6])
        #expect(parsed.text.contains("<b>12-02"), "the label is text, not markup")
        #expect(!svg.contains("<b>") && !svg.contains("nan") && !svg.contains("inf"))
    }

    @Test func emptyChartsSayNoData() throws {
        #expect(try parse(BarChart(title: "t", series: ["rows"], bars: []).svg()).text.contains("no data"))
        #expect(try parse(BarChart(title: "t", series: ["rows"], bars: [], orientation: .horizontal).svg()).text.contains("none"))
        #expect(try parse(LineChart(title: "t", points: [], xLabel: "s", yLabel: "rows").svg()).text.contains("not enough samples"))
    }

    @Test func horizontalBarsAreProportionalAndLabelled() throws {
        let parsed = try parse(
            BarChart(
                title: "brands", series: ["rows"],
                bars: [
                    .init(label: "visa", values: [400]), .init(label: "amex", values: [100]),
                ], orientation: .horizontal
            ).svg())
        let widths = parsed.elements.filter { $0.name == "rect" }.compactMap { Double($0.attributes["width"] ?? "") }
        // 680 − 170 − 70 = 440 px for an axis of 0…400.
        #expect(widths == [440, 110])
        #expect(parsed.text.contains("visa") && parsed.text.contains("400") && parsed.text.contains("100"))
    }

    @Test func lineChartDrawsEveryPointInOrder() throws {
        let points = (0...10).map { LineChart.Point(x: Double($0), y: Double($0 * $0)) }
        let parsed = try parse(LineChart(title: "rows", points: points, xLabel: "s", yLabel: "rows").svg())
        let line = try #require(parsed.elements.first { $0.name == "polyline" }?.attributes["points"])
        let xs = line.split(separator: " ").compactMap { Double($0.split(separator: ",")[0]) }
        #expect(xs.count == 11)
        #expect(xs == xs.sorted())
        #expect(xs.first == 60)
    }
}
