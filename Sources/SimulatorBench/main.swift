// Times one simulation tick (60 simulated seconds) over a fleet of simulated vehicles and reports resident memory.
//   carport-sim-bench [VEHICLES]   → one JSON line
import CarportConnectors
import Foundation

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
let start = Date(timeIntervalSince1970: 1_700_000_000)
let models = SimulatedCatalog.models
var fleet: [SimulatedCar] = (0..<count).map { index in
    var car = SimulatedCar(vin: String(format: "SIMBENCH%09d", index), model: models[index % models.count],
                           stateOfCharge: 0.2 + Double(index % 60) / 100, now: start)
    switch index % 3 {
    case 0 where car.model.powertrain != .ice: try? car.apply(.plug)
    case 1: try? car.apply(.startTrip(speedKmh: 40 + Double(index % 80), headingDegrees: Double(index % 360)))
    default: break
    }
    return car
}

var ticks: [Double] = []
for _ in 0..<5 {
    let began = ContinuousClock.now
    for index in fleet.indices { fleet[index].advance(simulatedSeconds: 60) }
    let elapsed = ContinuousClock.now - began
    ticks.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
}

func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return -1 }
    return kilobytes / 1024
}

let median = ticks.sorted()[ticks.count / 2]
let charging = fleet.filter(\.isCharging).count
print(#"{"vehicles": \#(count), "tickMilliseconds": \#(String(format: "%.2f", median)), "rssMegabytes": \#(String(format: "%.1f", residentMegabytes())), "charging": \#(charging)}"#)
