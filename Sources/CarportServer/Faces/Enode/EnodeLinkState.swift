import CarportConnectors
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

/// The body of `POST /users/{userId}/link`, checked (enode.md §2.2): `vendor` (case-insensitive; its kind — car or
/// charger brand — decides the kind of link), `vendorType` (`vehicle`, `charger`; used when no vendor is named),
/// `userName` (shown to the owner), `userImage` (https), `chargingLocationId` (a UUID).
struct EnodeLinkOptions {
    let vendor: String?
    let isCharger: Bool
    let userName: String?

    init(_ body: [String: Any], vehicleBrands: [String]) throws {
        let chargerBrands = SimulatedChargers.brands.map(\.make)
        let vendorName = (body["vendor"] as? String)?.uppercased()
        let type = body["vendorType"]
        guard type == nil || (type as? String).map(["vehicle", "charger"].contains) == true else {
            throw EnodeProblem.validation("\"vendorType\" must be one of vehicle, charger")
        }
        if body["vendor"] != nil {
            guard let name = vendorName, (vehicleBrands + chargerBrands).contains(name) else {
                throw EnodeProblem.validation("\"vendor\" must be one of \((vehicleBrands + chargerBrands).joined(separator: ", "))")
            }
            isCharger = chargerBrands.contains(name)
        } else {
            isCharger = type as? String == "charger"
        }
        vendor = vendorName
        userName = body["userName"] as? String
        // Lengths in code points, as the OpenAPI document's maxLength counts them.
        guard body["userName"] == nil || (userName.map { !$0.isEmpty && $0.unicodeScalars.count <= 100 } ?? false) else {
            throw EnodeProblem.validation("\"userName\" must be a string of 1 to 100 characters")
        }
        if let image = body["userImage"] {
            guard let text = image as? String, text.lowercased().hasPrefix("https://") else {
                throw EnodeProblem.validation("\"userImage\" must be an https URL")
            }
        }
        if let language = body["forceLanguage"], !(language is String) {
            throw EnodeProblem.validation("\"forceLanguage\" must be a BCP 47 language code")
        }
        if let multiple = body["linkMultiple"], jsonBool(multiple) == nil {
            throw EnodeProblem.validation("\"linkMultiple\" must be a boolean")
        }
        if let location = body["chargingLocationId"] {
            guard (location as? String).flatMap(UUID.init(uuidString:)) != nil else {
                throw EnodeProblem.validation("\"chargingLocationId\" must be a UUID")
            }
        }
    }
}
