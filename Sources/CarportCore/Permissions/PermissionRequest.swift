/// Permissions an application asks for in Connect; `required:` ones cannot be declined by the owner.
public struct PermissionRequest: Sendable, Codable, Equatable {
    public struct Item: Sendable, Codable, Equatable {
        public var permission: Permission
        public var required: Bool

        public init(permission: Permission, required: Bool) {
            self.permission = permission
            self.required = required
        }
    }

    public var items: [Item]

    public enum ParseError: Error, Equatable {
        case unknownPermission(String)
        case empty
    }

    public init(items: [Item]) { self.items = items }

    /// Parses a Smartcar `scope` value: names separated by spaces (or `+`, as some encoders leave it), each
    /// optionally prefixed `required:`. Repeats are merged; a name once marked required stays required.
    public static func parseSmartcarScope(_ scope: String) throws(ParseError) -> PermissionRequest {
        var items: [Item] = []
        for token in scope.split(whereSeparator: { $0 == " " || $0 == "+" }) {
            let isRequired = token.hasPrefix("required:")
            let name = isRequired ? token.dropFirst("required:".count) : token
            guard let permission = Permission(rawValue: String(name)) else { throw .unknownPermission(String(token)) }
            if let index = items.firstIndex(where: { $0.permission == permission }) {
                items[index].required = items[index].required || isRequired
            } else {
                items.append(Item(permission: permission, required: isRequired))
            }
        }
        guard !items.isEmpty else { throw .empty }
        return PermissionRequest(items: items)
    }

    public var permissions: [Permission] { items.map(\.permission) }
    public var requiredPermissions: Set<Permission> { Set(items.filter(\.required).map(\.permission)) }
}
