import CarportCore
import Foundation

/// The local data directory: the SQLite file and the encryption key live here.
enum DataDirectory {
    static let keyFileName = "encryption.key"

    /// Creates the directory if needed and proves it is writable.
    static func prepare(_ directory: URL) throws(StartupError) {
        let path = directory.path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StartupError("data directory \(path) cannot be created: \(reason(error))")
        }
        let probe = directory.appendingPathComponent(".write-test-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: probe.path, contents: Data()) else {
            throw StartupError("data directory \(path) is not writable")
        }
        try? FileManager.default.removeItem(at: probe)
    }

    /// The encryption key: from `CARPORT_ENCRYPTION_KEY` when set, else the key file, generated (mode 0600) on first use.
    static func secretBox(configuration: CarportConfiguration) throws(StartupError) -> SecretBox {
        if let encoded = configuration.encryptionKey {
            guard let data = Data(base64Encoded: encoded), let box = try? SecretBox(keyData: data) else {
                throw StartupError("CARPORT_ENCRYPTION_KEY must be the base64 of 32 bytes")
            }
            return box
        }
        let keyFile = configuration.dataDirectory.appendingPathComponent(keyFileName)
        if let encoded = try? String(contentsOf: keyFile, encoding: .utf8) {
            let trimmed = encoded.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let data = Data(base64Encoded: trimmed), let box = try? SecretBox(keyData: data) else {
                throw StartupError("encryption key file \(keyFile.path) is corrupt: expected the base64 of 32 bytes")
            }
            return box
        }
        let data = SecretBox.generateKeyData()
        let created = FileManager.default.createFile(
            atPath: keyFile.path,
            contents: Data((data.base64EncodedString() + "\n").utf8),
            attributes: [.posixPermissions: 0o600])
        guard created, let box = try? SecretBox(keyData: data) else {
            throw StartupError("encryption key file \(keyFile.path) cannot be written")
        }
        return box
    }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}
