import Fluent
import SQLKit

/// A store whose database handle is looked up only when a query runs, so answers served from memory cost none.
protocol LazyDatabaseStore {
    var resolveDatabase: @Sendable () -> any Database { get }
}

extension LazyDatabaseStore {
    var database: any Database { resolveDatabase() }

    /// The same database as SQL, for statements written by hand.
    var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
            return sql
        }
    }
}

enum StoreError: Error {
    case sqlRequired
    /// A statement that always answers a row (an upsert with RETURNING) answered none.
    case noRowReturned(table: String)
}
