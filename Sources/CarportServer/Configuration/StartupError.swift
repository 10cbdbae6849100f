/// A reason Carport cannot start, phrased for one plain line on stderr.
public struct StartupError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
