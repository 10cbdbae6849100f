/// Which vehicles an application (or a connection) talks to.
///
/// - `live`: real brand connectors.
/// - `test`: simulated brands with deterministic data; any credentials log in.
/// - `simulated`: stateful simulated vehicles that the developer steers.
public enum ApplicationMode: String, Sendable, Codable, CaseIterable {
    case live, test, simulated
}
