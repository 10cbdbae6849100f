import Foundation

/// A strict reader of the Prometheus text exposition format (0.0.4), enough to validate `/metrics`.
struct PrometheusExposition {
    struct Sample {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var types: [String: String] = [:]
    private(set) var samples: [Sample] = []

    init(parsing text: String) throws {
        let validTypes: Set = ["counter", "gauge", "histogram", "summary", "untyped"]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let lineNumber = index + 1
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, Self.isMetricName(parts[2]), validTypes.contains(String(parts[3])) else {
                    throw FormatError(description: "line \(lineNumber): bad TYPE line: \(line)")
                }
                types[String(parts[2])] = String(parts[3])
            } else if line.hasPrefix("#") {
                continue
            } else {
                samples.append(try Self.sample(String(line), lineNumber: lineNumber))
            }
        }
        for sample in samples where types[Self.family(of: sample.name)] == nil {
            throw FormatError(description: "sample \(sample.name) has no TYPE line")
        }
    }

    func type(of family: String) -> String? { types[family] }

    func value(_ name: String, labels: [String: String]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }

    private static func family(of name: String) -> String {
        for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            return base
        }
        return name
    }

    private static func isMetricName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func sample(_ line: String, lineNumber: Int) throws -> Sample {
        let fail = { FormatError(description: "line \(lineNumber): bad sample: \(line)") }
        var rest = Substring(line)
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard isMetricName(name) else { throw fail() }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let key = rest.prefix { $0 != "=" }
                guard isMetricName(key), rest.dropFirst(key.count).hasPrefix("=\"") else { throw fail() }
                rest = rest.dropFirst(key.count + 2)
                var value = ""
                while let character = rest.first, character != "\"" {
                    if character == "\\" {
                        rest = rest.dropFirst()
                        guard let escaped = rest.first else { throw fail() }
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                    rest = rest.dropFirst()
                }
                guard rest.first == "\"" else { throw fail() }
                rest = rest.dropFirst()
                labels[String(key)] = value
                if rest.first == "," { rest = rest.dropFirst() }
                guard !rest.isEmpty else { throw fail() }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ")
        guard (1...2).contains(fields.count), let value = Double(fields[0].replacingOccurrences(of: "+Inf", with: "inf"))
        else { throw fail() }
        return Sample(name: String(name), labels: labels, value: value)
    }
}
