import Foundation
import Vapor

/// The serving process's background loop: delivers due webhook batches (Enode) and events (Smartcar) as soon as
/// this node queues some (`Bell`) and every half second otherwise, and scans for vehicle changes every
/// `CARPORT_WEBHOOK_SCAN` seconds (watched vehicles on every pass). Work it misses (a crash, a restart) waits in
/// the database. With several nodes, each full scan pass is claimed with the lease
/// `enode-scan-pass`, held for one interval and not given back, so the nodes together scan once per interval;
/// deliveries claim their endpoints (`WebhookStore.claimDue`).
struct WebhookWorker {
    let app: Application

    func run() async {
        var lastScan = Date.distantPast
        while !Task.isCancelled {
            // Request-scoped services, built the same way as for an HTTP request.
            let context = Request(application: app, logger: app.logger, on: app.eventLoopGroup.next())
            if Date().timeIntervalSince(lastScan) >= app.carport.configuration.webhookScanInterval {
                lastScan = Date()
                do {
                    let interval = app.carport.configuration.webhookScanInterval
                    if try await context.leaseStore.claim("enode-scan-pass", holder: UUID().uuidString,
                                                          until: lastScan.addingTimeInterval(interval * 0.9), now: lastScan) {
                        try await context.vehicleChanges.scanAll()
                    }
                } catch { app.logger.warning("webhook scan failed: \(error)") }
            } else {
                for watched in app.carport.watchList.current() {
                    await context.vehicleChanges.note(applicationID: watched.applicationID, vehicleID: watched.vehicleID)
                }
            }
            do { try await context.webhookDispatcher.deliverDue() } catch { app.logger.warning("webhook delivery failed: \(error)") }
            do { try await context.smartcarDispatcher.deliverDue() } catch { app.logger.warning("Smartcar webhook delivery failed: \(error)") }
            await app.carport.outboxBell.wait(seconds: 0.5)
        }
    }
}
