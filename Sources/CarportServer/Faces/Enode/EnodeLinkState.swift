import CarportCore
import Foundation

/// The `linkState` of `POST /users/{userId}/link`: sealed with the server's key, so it needs no storage and cannot
/// be forged; it carries the application, the user, the preselected vendor and the name the Link pages show the
/// owner, and expires after a day.
struct EnodeLinkState: Codable {
    let applicationID: UUID
    let userID: String
    let vendor: String?
    var userName: String?
    let expiresAt: Date

    static let lifetime: Double = 24 * 3600

    func seal(with box: SecretBox) throws -> String {
        try box.seal(JSONEncoder().encode(self))
    }

    /// The link state this `state` is, if it is one of this application's and still valid.
    static func open(_ state: String?, applicationID: UUID, box: SecretBox, now: Date = Date()) -> EnodeLinkState? {
        guard let state, let data = try? box.open(state),
              let link = try? JSONDecoder().decode(EnodeLinkState.self, from: data),
              link.applicationID == applicationID, link.expiresAt > now
        else { return nil }
        return link
    }
}
