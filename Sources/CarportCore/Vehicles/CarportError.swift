import Foundation

/// The canonical error taxonomy (Smartcar's v2 types and codes); every face renders it in its own shape.
public struct CarportError: Error, Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case authentication = "AUTHENTICATION"
        case permission = "PERMISSION"
        case validation = "VALIDATION"
        case resourceNotFound = "RESOURCE_NOT_FOUND"
        case connectedServicesAccount = "CONNECTED_SERVICES_ACCOUNT"
        case vehicleState = "VEHICLE_STATE"
        case rateLimit = "RATE_LIMIT"
        case billing = "BILLING"
        case server = "SERVER"
        case compatibility = "COMPATIBILITY"
        case upstream = "UPSTREAM"
    }

    /// What the caller should do about it.
    public enum Resolution: String, Sendable, Codable {
        case retryLater = "RETRY_LATER"
        case reauthenticate = "REAUTHENTICATE"
        case contactSupport = "CONTACT_SUPPORT"
    }

    public var kind: Kind
    public var code: String?
    public var description: String
    public var resolution: Resolution?
    /// Where the owner resolves it (a virtual-key pairing link, a re-authentication URL).
    public var resolutionURL: String?
    /// Seconds to wait before retrying (rate limits).
    public var retryAfter: Int?
    /// Field-level problems of a validation error.
    public var detail: [FieldProblem]?

    public struct FieldProblem: Sendable, Equatable, Codable {
        public var field: [String]
        public var message: String
        public init(field: [String], message: String) { self.field = field; self.message = message }
    }

    public init(_ kind: Kind, _ code: String?, _ description: String, resolution: Resolution? = nil,
                retryAfter: Int? = nil, detail: [FieldProblem]? = nil, resolutionURL: String? = nil) {
        self.resolutionURL = resolutionURL
        self.kind = kind
        self.code = code
        self.description = description
        self.resolution = resolution ?? Self.defaultResolution(kind, code)
        self.retryAfter = retryAfter
        self.detail = detail
    }

    private static func defaultResolution(_ kind: Kind, _ code: String?) -> Resolution? {
        switch kind {
        case .rateLimit, .upstream: .retryLater
        case .server: code == "INTERNAL" ? .retryLater : .contactSupport
        case .permission: .reauthenticate
        case .connectedServicesAccount: code == "AUTHENTICATION_FAILED" ? .reauthenticate : nil
        default: nil
        }
    }

    public static let authentication = CarportError(.authentication, nil,
        "The authorization header is missing or malformed, or it contains invalid or expired authentication credentials. Please check for missing parameters, spelling and casing mistakes, and other syntax issues.")
    public static let permission = CarportError(.permission, nil,
        "Your application has insufficient permissions to access the requested resource. Please prompt the user to re-authenticate using Smartcar Connect.")

    public static func validation(_ message: String, field: String? = nil) -> CarportError {
        CarportError(.validation, field == nil ? nil : "PARAMETER",
            "Request invalid or malformed. Please check for missing parameters, spelling and casing mistakes, and other syntax issues.",
            detail: [FieldProblem(field: field.map { [$0] } ?? [], message: message)])
    }

    public static func notCapable(_ what: String) -> CarportError {
        CarportError(.compatibility, "VEHICLE_NOT_CAPABLE", "The vehicle is not capable of \(what).")
    }

    public static func vehicleState(_ code: String, _ description: String) -> CarportError {
        CarportError(.vehicleState, code, description)
    }

    public static func internalError(_ description: String = "Carport encountered an internal error.") -> CarportError {
        CarportError(.server, "INTERNAL", description)
    }
}
