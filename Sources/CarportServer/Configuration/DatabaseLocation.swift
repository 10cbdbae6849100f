import Foundation

/// Where Carport keeps its state: an SQLite file (the embedded default) or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    /// Interprets `DATABASE_URL`; nil or empty means the SQLite file in the data directory.
    static func parse(databaseURL: String?, dataDirectory: URL) throws(StartupError) -> DatabaseLocation {
        guard let raw = databaseURL?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return .sqlite(path: dataDirectory.appendingPathComponent("carport.sqlite").path)
        }
        guard let components = URLComponents(string: raw),
              let scheme = components.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme)
        else {
            throw StartupError("DATABASE_URL is malformed: expected postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StartupError("DATABASE_URL is malformed: it names no host")
        }
        return .postgres(url: raw)
    }

    /// A description without credentials, safe to print.
    public var redacted: String {
        switch self {
        case .sqlite(let path): return "SQLite at \(path)"
        case .postgres(let url):
            guard let components = URLComponents(string: url) else { return "PostgreSQL" }
            let port = components.port.map { ":\($0)" } ?? ""
            return "PostgreSQL at \(components.host ?? "?")\(port)\(components.path)"
        }
    }
}
