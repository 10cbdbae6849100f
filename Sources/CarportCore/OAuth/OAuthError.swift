/// An OAuth 2.0 error (RFC 6749 §4.1.2.1 and §5.2) plus Smartcar's Connect codes.
public struct OAuthError: Error, Equatable, Sendable {
    public var code: String
    public var description: String

    public init(_ code: String, _ description: String) {
        self.code = code
        self.description = description
    }

    public static func invalidRequest(_ text: String) -> OAuthError { .init("invalid_request", text) }
    public static func invalidClient(_ text: String = "Client authentication failed.") -> OAuthError { .init("invalid_client", text) }
    public static func invalidGrant(_ text: String) -> OAuthError { .init("invalid_grant", text) }
    public static func unauthorizedClient(_ text: String) -> OAuthError { .init("unauthorized_client", text) }
    public static func unsupportedGrantType(_ type: String) -> OAuthError {
        .init("unsupported_grant_type", "Grant type \"\(type)\" is not supported.")
    }
    public static func invalidScope(_ text: String) -> OAuthError { .init("invalid_scope", text) }
    public static func accessDenied(_ text: String = "The owner denied access.") -> OAuthError { .init("access_denied", text) }
    public static func serverError(_ text: String) -> OAuthError { .init("server_error", text) }
    public static let noVehicles = OAuthError("no_vehicles", "The account has no vehicle that can be connected.")
    public static let invalidSubscription = OAuthError(
        "invalid_subscription", "The vehicle's connected-services subscription is inactive.")
    public static func vehicleIncompatible(_ text: String) -> OAuthError { .init("vehicle_incompatible", text) }
    public static func configurationError(_ text: String) -> OAuthError { .init("configuration_error", text) }
}
