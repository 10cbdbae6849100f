import Foundation
import Vapor

/// The serving process's smart-charging loop: every second it claims the vehicles whose schedule is due (a plan's
/// next start or stop, a confirmation, a poll, or a wake from a policy edit, a plug-in, new prices, an override) and
/// looks at them; several nodes share the work through the schedules' leases.
struct SmartChargingWorker {
    let app: Application

    func run() async {
        while !Task.isCancelled {
            let context = Request(application: app, logger: app.logger, on: app.eventLoopGroup.next())
            var looked = 0
            do { looked = try await SmartChargingLoop(request: context).runDue() } catch {
                app.logger.warning("smart charging pass failed: \(error)")
            }
            if looked == 0 { try? await Task.sleep(for: .seconds(1)) }
        }
    }
}
