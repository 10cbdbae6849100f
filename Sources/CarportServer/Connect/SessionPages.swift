import CarportConnectors
import CarportCore

/// The pages of charger and energy-supplier connect sessions (vehicle sessions use the Connect flow's pages).
extension ConnectPages {
    func chargerSignIn(_ session: ConnectSession, key: String, message: String?) -> String {
        let options = SimulatedChargers.brands.map { "<option value=\"\($0.make.html)\">\($0.displayName.html)</option>" }.joined()
        return layout(title: "Connect your charger", mode: nil, body: """
        <h1>Connect your home charger</h1>
        <p>Sign in to the account of your charger's brand.</p>
        \(messageBox(message))
        \(sessionForm(session, key: key, action: "charger/sign-in", """
        <label for="charger-brand">Brand</label>
        <select id="charger-brand" name="brand">\(options)</select>
        <label for="username">E-mail</label>
        <input id="username" name="username" type="email" autocomplete="username" required>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button id="sign-in-button" class="primary" type="submit">Sign in</button>
        """))
        <p class="fine">Simulated chargers: any e-mail address and password sign in; <code>name+2@…</code> holds two chargers.</p>
        <h2>Or connect your charger directly (OCPP)</h2>
        <p>Most wallboxes can be pointed at a central system in their settings (OCPP 1.6 or 2.0.1).</p>
        \(sessionForm(session, key: key, action: "charger/ocpp", """
        <label for="charge-point-id">Charge point id (as set in the charger, or one you choose)</label>
        <input id="charge-point-id" name="charge_point_id" required maxlength="48" pattern="[A-Za-z0-9._:\\-]{1,48}">
        <button id="ocpp-button" type="submit">Connect over OCPP</button>
        """))
        """)
    }

    /// What the owner types into the charger (the password only this once), then waiting until it connects; the
    /// page reloads itself every 5 s and finishes the step once the charger has booted.
    func ocppCharger(_ session: ConnectSession, key: String, chargePointID: String, url: String, password: String?) -> String {
        let secret = password.map {
            """
            <dt>Password (HTTP Basic, shown only now)</dt><dd><code id="ocpp-password">\($0.html)</code></dd>
            """
        } ?? ""
        let waiting = "/connect-sessions/\(session.id.uuidString.lowercased())/charger?key=\(RedirectURL.encode(key))"
        return layout(title: "Connect your charger over OCPP", mode: nil, body: """
        <meta http-equiv="refresh" content="5; url=\(waiting.html)">
        <h1>Point your charger at Carport</h1>
        <p>In the charger's OCPP settings, enter:</p>
        <dl>
          <dt>Central system URL</dt><dd><code id="ocpp-url">\(url.html)</code></dd>
          <dt>Charge point id</dt><dd><code id="ocpp-id">\(chargePointID.html)</code></dd>
          \(secret)
        </dl>
        <p id="ocpp-waiting">Waiting for the charger to connect… This page checks again every few seconds.</p>
        <p><a id="ocpp-check" href="\(waiting.html)">Check now</a></p>
        """)
    }

    func chargerChoice(_ session: ConnectSession, key: String, chargers: [SimulatedChargers.Identity], message: String?) -> String {
        let items = chargers.enumerated().map { index, charger in
            """
            <li><label class="check" for="charger-\(index)">
              <input id="charger-\(index)" type="radio" name="serial" value="\(charger.serial.html)"\(index == 0 ? " checked" : "")>
              <span><span class="vehicle">\(charger.brand.capitalized.html) \(charger.model.html)</span><br><span class="vin">Serial \(charger.serial.html)</span></span>
            </label></li>
            """
        }.joined(separator: "\n")
        return layout(title: "Choose your charger", mode: nil, body: """
        <h1>Which charger is at this location?</h1>
        \(messageBox(message))
        \(sessionForm(session, key: key, action: "charger/choose", """
        <ul class="plain">\(items)</ul>
        <button id="charger-continue-button" class="primary" type="submit">Connect</button>
        """))
        """)
    }

    func energySupplier(_ session: ConnectSession, key: String, message: String?) -> String {
        let options = SimulatedEnergySuppliers.all.map { "<option value=\"\($0.id.html)\">\($0.name.html)</option>" }.joined()
        return layout(title: "Your energy contract", mode: nil, body: """
        <h1>Who supplies your energy at this location?</h1>
        \(messageBox(message))
        \(sessionForm(session, key: key, action: "energy-supplier", """
        <label for="supplier">Energy supplier</label>
        <select id="supplier" name="supplier">\(options)</select>
        <label for="contract-number">Contract number</label>
        <input id="contract-number" name="contract_number" required maxlength="64">
        <label for="meter-code">Meter code (optional)</label>
        <input id="meter-code" name="meter_code" maxlength="64">
        <button id="supplier-continue-button" class="primary" type="submit">Save</button>
        """))
        """)
    }

    /// Where the web view lands when a session step is done (the SDK closes before it loads).
    func sessionDone() -> String {
        layout(title: "Done", mode: nil, body: """
        <h1>All set</h1>
        <p>You can return to the application.</p>
        """)
    }

    /// Session forms carry the step key: it names the step and doubles as the CSRF token.
    private func sessionForm(_ session: ConnectSession, key: String, action: String, _ content: String) -> String {
        """
        <form method="post" action="/connect-sessions/\(session.id.uuidString.lowercased())/\(action)">
        <input type="hidden" name="key" value="\(key.html)">
        \(content)
        </form>
        """
    }
}
