import Foundation
import TeslaFleetFake
import Vapor

// `tesla-fleet-fake [--port 9100] [--redirect-uri URI]… [--wake-seconds S] [--sleep-after S]
//  [--client-id ID] [--client-secret SECRET] [--partner-key-origin URL]`: a fake Tesla cloud on 127.0.0.1.
// `--partner-key-origin https://{domain}` fetches partner keys as Tesla does; by default from the fake's own hook.
var arguments = CommandLine.arguments.dropFirst()
var values: [String: [String]] = [:]
while let flag = arguments.popFirst() {
    guard flag.hasPrefix("--"), let value = arguments.popFirst() else {
        FileHandle.standardError.write(Data("tesla-fleet-fake: unexpected argument \(flag)\n".utf8))
        exit(2)
    }
    values[String(flag.dropFirst(2)), default: []].append(value)
}
let port = Int(values["port"]?.last ?? "9100") ?? 9100
var options = FakeOptions(origin: "http://127.0.0.1:\(port)")
options.redirectURIs = values["redirect-uri"] ?? []
if let id = values["client-id"]?.last { options.clientID = id }
if let secret = values["client-secret"]?.last { options.clientSecret = secret }
if let wake = values["wake-seconds"]?.last.flatMap(Double.init) { options.wakeSeconds = wake }
if let sleep = values["sleep-after"]?.last.flatMap(Double.init) { options.sleepAfterSeconds = sleep }
if let origin = values["partner-key-origin"]?.last { options.partnerKeyOrigin = origin }

let app = try await Application.make(Environment(name: "production", arguments: ["tesla-fleet-fake", "serve"]))
app.http.server.configuration.hostname = "127.0.0.1"
app.http.server.configuration.port = port
try TeslaFleetFake.configure(app, options: options)
print("tesla-fleet-fake on \(options.origin) (client \(options.clientID); regions \(options.regions.joined(separator: ", ")))")
try await app.execute()
try await app.asyncShutdown()
