import CarportCore
import Fluent
import Foundation
import SQLKit

/// `OAuthStore` backed by Fluent; single-use marking is one conditional UPDATE … RETURNING, so it is atomic.
/// Token writes go through the process's `TokenWriteBatches`.
struct FluentOAuthStore: OAuthStore, LazyDatabaseStore {
    let resolveDatabase: @Sendable () -> any Database
    let batches: TokenWriteBatches

    init(database: @autoclosure @escaping @Sendable () -> any Database, batches: TokenWriteBatches) {
        resolveDatabase = database
        self.batches = batches
    }

    /// The grant, then its vehicles in one statement; no transaction (its BEGIN and COMMIT would double the round
    /// trips): nothing refers to the grant before this returns, and a grant whose vehicles failed is deleted again.
    func insertGrant(_ grant: Grant) async throws {
        try await GrantModel(grant).create(on: database)
        guard !grant.vehicleIDs.isEmpty else { return }
        var links = try sql.insert(into: GrantVehicleModel.schema).columns("id", "grant_id", "vehicle_id")
        for vehicleID in grant.vehicleIDs {
            links = links.values(SQLBind(SecureRandom.uuid()), SQLBind(grant.id), SQLBind(vehicleID))
        }
        do { try await links.run() } catch {
            try? await GrantModel.query(on: database).filter(\.$id == grant.id).delete()
            throw error
        }
    }

    func grant(id: UUID) async throws -> Grant? {
        guard let model = try await GrantModel.find(id, on: database) else { return nil }
        let vehicleIDs = try await GrantVehicleModel.query(on: database).filter(\.$grant.$id == id).all()
            .map { $0.$vehicle.id }
        return try model.domain(vehicleIDs: vehicleIDs)
    }

    func user(applicationID: UUID, externalID: String) async throws -> UUID? {
        try await ApplicationUserModel.query(on: database).filter(\.$application.$id == applicationID)
            .filter(\.$externalID == externalID).first()?.requireID()
    }

    func externalID(userID: UUID) async throws -> String? {
        try await ApplicationUserModel.find(userID, on: database)?.externalID
    }

    func revokeTokens(userID: UUID, at time: Date) async throws {
        let grantIDs = try await GrantModel.query(on: database).filter(\.$user.$id == userID).all().map { try $0.requireID() }
        guard !grantIDs.isEmpty else { return }
        try await TokenModel.query(on: database).filter(\.$grant.$id ~~ grantIDs).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: time).update()
    }

    func deleteUser(userID: UUID) async throws {
        try await database.transaction { transaction in
            let grants = try await GrantModel.query(on: transaction).filter(\.$user.$id == userID).all()
            let grantIDs = try grants.map { try $0.requireID() }
            let vehicleIDs = try await GrantVehicleModel.query(on: transaction).filter(\.$grant.$id ~~ grantIDs).all()
                .map { $0.$vehicle.id }
            try await TokenModel.query(on: transaction).filter(\.$grant.$id ~~ grantIDs).delete()
            try await AuthorizationCodeModel.query(on: transaction).filter(\.$grant.$id ~~ grantIDs).delete()
            try await GrantVehicleModel.query(on: transaction).filter(\.$grant.$id ~~ grantIDs).delete()
            try await GrantModel.query(on: transaction).filter(\.$id ~~ grantIDs).delete()
            for vehicleID in Set(vehicleIDs) {
                let stillHeld = try await GrantVehicleModel.query(on: transaction).filter(\.$vehicle.$id == vehicleID).count()
                if stillHeld == 0 { try await VehicleModel.query(on: transaction).filter(\.$id == vehicleID).delete() }
            }
            try await ApplicationUserModel.query(on: transaction).filter(\.$id == userID).delete()
        }
    }

    func grants(userID: UUID) async throws -> [Grant] {
        var grants: [Grant] = []
        for model in try await GrantModel.query(on: database).filter(\.$user.$id == userID).all() {
            if let grant = try await grant(id: try model.requireID()) { grants.append(grant) }
        }
        return grants
    }

    func insertCode(_ code: StoredAuthorizationCode) async throws {
        try await sql.insert(into: AuthorizationCodeModel.schema).columns(Self.codeColumns).values(
            SQLBind(SecureRandom.timeOrderedUUID()), SQLBind(code.digest), SQLBind(code.applicationID), SQLBind(code.grantID),
            SQLBind(code.redirectURI), SQLBind(code.redirectURIWasExplicit), SQLBind(code.codeChallenge),
            SQLBind(code.familyID), SQLBind(code.expiresAt), SQLBind(code.usedAt)
        ).run()
    }

    func redeemCode(digest: String, at time: Date) async throws -> CodeRedemption {
        let updated = try await sql.update(AuthorizationCodeModel.schema)
            .set("used_at", to: time)
            .where("digest", .equal, digest)
            .where("used_at", .is, SQLLiteral.null)
            .returning("id")
            .all()
        guard let row = try await sql.select().columns(Self.codeColumns).from(AuthorizationCodeModel.schema)
            .where("digest", .equal, digest).first()
        else { return .notFound }
        let code = StoredAuthorizationCode(
            digest: digest, applicationID: try row.decode(column: "application_id", as: UUID.self),
            grantID: try row.decode(column: "grant_id", as: UUID.self),
            redirectURI: try row.decode(column: "redirect_uri", as: String.self),
            redirectURIWasExplicit: try row.decode(column: "redirect_uri_explicit", as: Bool.self),
            codeChallenge: try row.decode(column: "code_challenge", as: String?.self),
            familyID: try row.decode(column: "family_id", as: UUID.self),
            expiresAt: try row.decode(column: "expires_at", as: Date.self),
            usedAt: try row.decode(column: "used_at", as: Date?.self))
        return updated.isEmpty ? .alreadyUsed(code) : .redeemed(code)
    }

    private static let codeColumns = ["id", "digest", "application_id", "grant_id", "redirect_uri", "redirect_uri_explicit",
                                      "code_challenge", "family_id", "expires_at", "used_at"]

    /// Tokens are on the hot path of every refresh and read: plain SQL, without Fluent's per-model reflection, and
    /// group-committed with the other token writes under way.
    func insertTokens(_ tokens: [StoredToken]) async throws {
        try await batches.inserts.submit(tokens)
    }

    func token(digest: String) async throws -> StoredToken? {
        guard let row = try await sql.select().columns(TokenWriteBatches.tokenColumns).from(TokenModel.schema)
            .where("digest", .equal, digest).first()
        else { return nil }
        return try TokenWriteBatches.storedToken(row)
    }

    func rotateRefreshToken(
        digest: String, applicationID: UUID, at time: Date, replacements: [TokenReplacement]
    ) async throws -> StoredToken? {
        try await batches.rotations.submit(
            .init(digest: digest, applicationID: applicationID, at: time, replacements: replacements))
    }

    func revokeToken(digest: String, at time: Date) async throws {
        try await TokenModel.query(on: database).filter(\.$digest == digest).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: time).update()
    }

    func revokeFamily(_ familyID: UUID, at time: Date) async throws {
        try await TokenModel.query(on: database).filter(\.$familyID == familyID).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: time).update()
    }
}
