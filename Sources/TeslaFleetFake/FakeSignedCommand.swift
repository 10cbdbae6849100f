import Foundation

/// `POST /api/1/vehicles/{vin}/signed_command` as a car answers a key it does not hold: whatever the message, the
/// reply is a `RoutableMessage` whose `SessionInfo` says `KEY_NOT_ON_WHITELIST` (what in-process signers such as
/// tesla-fleet-api's `VehicleSigned` see before the owner pairs their key). The Vehicle Command Protocol itself —
/// session keys, HMAC signatures, executing the action — is not implemented, so a paired key gets the same answer.
enum FakeSignedCommand {
    /// The reply to a base64 `routable_message`, base64-encoded; nil when it is not a `RoutableMessage`.
    static func reply(to routableMessage: String) -> String? {
        guard let data = Data(base64Encoded: routableMessage), let fields = Protobuf.fields(data) else { return nil }
        let routingAddress = fields[7].flatMap(Protobuf.fields).flatMap { $0[2] } ?? Data()
        let domain = fields[6].flatMap(Protobuf.fields).flatMap { $0[1] }.flatMap(Protobuf.varint) ?? 0
        var reply = Data()
        reply.append(Protobuf.field(6, Protobuf.field(2, routingAddress)))
        reply.append(Protobuf.field(7, Protobuf.varintField(1, domain)))
        reply.append(Protobuf.field(15, Protobuf.varintField(5, 1)))  // SessionInfo.status = KEY_NOT_ON_WHITELIST
        if let uuid = fields[51] { reply.append(Protobuf.field(50, uuid)) }  // request_uuid echoes the request's uuid
        return reply.base64EncodedString()
    }
}

/// The little of the protobuf wire format the reply needs: varints and length-delimited fields.
enum Protobuf {
    /// Top-level fields by number (the last occurrence wins); varint fields as their encoded bytes. Nil if malformed.
    static func fields(_ data: Data) -> [Int: Data]? {
        var result: [Int: Data] = [:]
        var index = data.startIndex
        while index < data.endIndex {
            guard let key = readVarint(data, &index) else { return nil }
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                let start = index
                guard readVarint(data, &index) != nil else { return nil }
                result[number] = data[start..<index]
            case 2:
                guard let length = readVarint(data, &index), length <= UInt64(data.endIndex - index) else { return nil }
                let end = index + Int(length)
                result[number] = Data(data[index..<end])
                index = end
            case 5:
                guard data.endIndex - index >= 4 else { return nil }
                index += 4
            case 1:
                guard data.endIndex - index >= 8 else { return nil }
                index += 8
            default:
                return nil
            }
        }
        return result
    }

    static func varint(_ data: Data) -> UInt64? {
        var index = data.startIndex
        return readVarint(data, &index)
    }

    static func field(_ number: Int, _ bytes: Data) -> Data {
        encodeVarint(UInt64(number << 3 | 2)) + encodeVarint(UInt64(bytes.count)) + bytes
    }

    static func varintField(_ number: Int, _ value: UInt64) -> Data {
        encodeVarint(UInt64(number << 3)) + encodeVarint(value)
    }

    private static func readVarint(_ data: Data, _ index: inout Data.Index) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < data.endIndex, shift < 64 {
            let byte = data[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    private static func encodeVarint(_ value: UInt64) -> Data {
        var value = value
        var bytes = Data()
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }
}
