import CarportConnectors
import CarportCore
import Foundation

/// One car's plan against the prices as an SVG: the price per slot as steps, the plan's windows shaded, the state
/// of charge as a line, the deadline as a rule.
enum StudyPlot {
    static func svg(_ trace: SmartChargingStudy.Trace, prices: PriceSeries) -> String {
        let width = 900.0, height = 360.0, left = 60.0, right = 60.0, top = 30.0, bottom = 40.0
        let span = trace.end.timeIntervalSince(trace.start)
        func x(_ date: Date) -> Double { left + (width - left - right) * date.timeIntervalSince(trace.start) / span }
        var steps: [(Date, Double)] = []
        var time = trace.start
        while time < trace.end {
            steps.append((time, prices.price(at: time)))
            time = min(trace.end, prices.nextBoundary(after: time))
        }
        let low = min(0, steps.map(\.1).min() ?? 0), high = max(0.01, steps.map(\.1).max() ?? 1)
        func yPrice(_ price: Double) -> Double { top + (height - top - bottom) * (1 - (price - low) / (high - low)) }
        func yLevel(_ level: Double) -> Double { top + (height - top - bottom) * (1 - level) }
        var parts = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
                     "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"]
        for window in trace.plan?.windows ?? [] {
            let start = max(window.start, trace.start), end = min(window.end, trace.end)
            parts.append("<rect x=\"\(f(x(start)))\" y=\"\(f(top))\" width=\"\(f(max(0, x(end) - x(start))))\" height=\"\(f(height - top - bottom))\" fill=\"#c8e6c9\"/>")
        }
        var pricePath = ""
        for (index, step) in steps.enumerated() {
            let end = index + 1 < steps.count ? steps[index + 1].0 : trace.end
            pricePath += "\(index == 0 ? "M" : "L")\(f(x(step.0))),\(f(yPrice(step.1))) L\(f(x(end))),\(f(yPrice(step.1))) "
        }
        parts.append("<path d=\"\(pricePath)\" fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\"/>")
        let levels = trace.levels.enumerated().filter { $0.offset % 5 == 0 }.map { "\(f(x($0.element.0))),\(f(yLevel($0.element.1)))" }
        if !levels.isEmpty { parts.append("<polyline points=\"\(levels.joined(separator: " "))\" fill=\"none\" stroke=\"#e65100\" stroke-width=\"2\"/>") }
        if let deadline = trace.plan?.deadline, deadline < trace.end {
            parts.append("<line x1=\"\(f(x(deadline)))\" x2=\"\(f(x(deadline)))\" y1=\"\(f(top))\" y2=\"\(f(height - bottom))\" stroke=\"#b71c1c\" stroke-dasharray=\"4 3\"/>")
            parts.append("<text x=\"\(f(x(deadline) + 4))\" y=\"\(f(top + 12))\" fill=\"#b71c1c\">deadline</text>")
        }
        var hour = Date(timeIntervalSince1970: (trace.start.timeIntervalSince1970 / 10_800).rounded(.up) * 10_800)
        while hour < trace.end {
            let label = UTCTimestamp.iso8601(hour, milliseconds: false).dropFirst(11).prefix(5)
            parts.append("<text x=\"\(f(x(hour)))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">\(label)</text>")
            hour.addTimeInterval(10_800)
        }
        parts.append("<text x=\"\(f(left - 8))\" y=\"\(f(yPrice(high)))\" text-anchor=\"end\" fill=\"#1565c0\">\(String(format: "%.2f", high))</text>")
        parts.append("<text x=\"\(f(left - 8))\" y=\"\(f(yPrice(low)))\" text-anchor=\"end\" fill=\"#1565c0\">\(String(format: "%.2f", low))</text>")
        parts.append("<text x=\"\(f(width - right + 6))\" y=\"\(f(yLevel(1)))\" fill=\"#e65100\">100 %</text>")
        parts.append("<text x=\"\(f(width - right + 6))\" y=\"\(f(yLevel(0)))\" fill=\"#e65100\">0 %</text>")
        parts.append("<text x=\"\(f(left))\" y=\"18\">price per kWh (\(prices.currency), blue), state of charge (orange), planned charging (green), UTC</text>")
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
