import Foundation
import Vapor

/// The serving process's background loop: delivers due webhook batches every half second and scans for vehicle
/// changes every `CARPORT_WEBHOOK_SCAN` seconds (watched vehicles on every pass). Work it misses (a crash, a
/// restart) waits in the database.
struct WebhookWorker {
    let app: Application

    func run() async {
        var lastScan = Date.distantPast
        while !Task.isCancelled {
            // Request-scoped services, built the same way as for an HTTP request.
            let context = Request(application: app, logger: app.logger, on: app.eventLoopGroup.next())
            if Date().timeIntervalSince(lastScan) >= app.carport.configuration.webhookScanInterval {
                lastScan = Date()
                do { try await context.enodeEvents.scanAll() } catch { app.logger.warning("webhook scan failed: \(error)") }
            } else {
                for watched in app.carport.watchList.current() {
                    await context.noteEnodeChanges(applicationID: watched.applicationID, deviceID: watched.vehicleID)
                }
            }
            do { try await context.webhookDispatcher.deliverDue() } catch { app.logger.warning("webhook delivery failed: \(error)") }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}
