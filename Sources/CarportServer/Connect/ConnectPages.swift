import CarportCore

/// Server-rendered Connect pages: no external assets, usable without JavaScript, with the element ids that
/// Smartcar's own Connect tests drive (`continue-button`, `brand-search`, `<MAKE>.brand-list-item`, `username`,
/// `password`, `sign-in-button`, `approval-button`).
struct ConnectPages {
    let nonce: String

    /// The page for the flow's step; `external` when the brand signs owners in on its own site.
    func render(_ flow: ConnectFlow, brands: [Brand], message: String?, search: String?, external: Bool = false) -> String {
        let brandName = brands.first { $0.make == flow.make }?.displayName ?? flow.make ?? ""
        switch flow.step {
        case .preamble: return preamble(flow)
        case .brands: return brandList(flow, brands: brands, message: message, search: search)
        case .signIn where external: return externalSignIn(flow, brandName: brandName, message: message)
        case .signIn: return signIn(flow, brandName: brandName, message: message)
        case .vehicles: return vehicles(flow, brands: brands, message: message)
        case .consent: return consent(flow, brands: brands, message: message)
        case .finished: return error(title: "This link was used", message: "Go back to the application and start again.")
        }
    }

    func error(title: String, message: String) -> String {
        layout(title: title, mode: nil, body: """
        <h1>\(title.html)</h1>
        <p>\(message.html)</p>
        <p class="fine">You can close this window and return to the application.</p>
        """)
    }

    /// A page with an explanation and code blocks (the demo callback).
    func message(title: String, text: String, code: [String]) -> String {
        layout(title: title, mode: nil, body: "<h1>\(title.html)</h1>\n<p>\(text.html)</p>\n"
            + code.map { "<p><code>\($0.html)</code></p>" }.joined(separator: "\n"))
    }

    // MARK: - Steps

    private func preamble(_ flow: ConnectFlow) -> String {
        let isReauth = flow.request.purpose != .authorize && flow.request.purpose != .embeddedSession
        let heading = isReauth
            ? "Sign in again to keep <span class=\"app\">\(flow.applicationName.html)</span> connected"
            : "<span class=\"app\">\(flow.applicationName.html)</span> wants to connect to your car"
        return layout(title: "Connect your car", mode: flow.request.mode, body: """
        <h1>\(heading)</h1>
        \(flow.request.ownerName.map { "<p id=\"owner-name\">Linking for <strong>\($0.html)</strong>. If that is not you, close this page.</p>" } ?? "")
        <p>Carport links your car brand account to this application. You choose your brand, sign in, and decide what the application may see and do.</p>
        <ul class="plain">
          <li>Your brand password is sent only to your brand, never to the application.</li>
          <li>You can disconnect at any time.</li>
        </ul>
        \(form(flow, action: "continue", """
        <button id="continue-button" class="primary" type="submit">Continue</button>
        """))
        """)
    }

    private func brandList(_ flow: ConnectFlow, brands: [Brand], message: String?, search: String?) -> String {
        let query = (search ?? "").trimmingCharacters(in: .whitespaces)
        let shown = query.isEmpty ? brands : brands.filter {
            $0.displayName.localizedCaseInsensitiveContains(query) || $0.make.localizedCaseInsensitiveContains(query)
        }
        let items = shown.map { (brand: Brand) -> String in
            """
            <button id="\(brand.make.html)" class="brand-list-item" type="submit" name="brand" value="\(brand.make.html)" data-name="\(brand.displayName.html)">
              <span class="brand-logo" aria-hidden="true">\(String(brand.displayName.prefix(1)).html)</span>
              <span>\(brand.displayName.html)</span>
            </button>
            """
        }.joined(separator: "\n")
        return layout(title: "Choose your brand", mode: flow.request.mode, body: """
        <h1>Choose your car brand</h1>
        \(messageBox(message))
        <form method="get" action="/connect/\(flow.id.uuidString.lowercased())" role="search">
          <label for="brand-search">Search brands</label>
          <input id="brand-search" type="search" name="q" value="\(query.html)" placeholder="e.g. Tesla" autocomplete="off">
        </form>
        \(form(flow, action: "brand", """
        <div class="brand-grid">
        \(items.isEmpty ? "<p>No brand matches “\(query.html)”.</p>" : items)
        </div>
        """))
        <script nonce="\(nonce)">\(ConnectPageStyle.brandSearchScript)</script>
        """)
    }

    private func signIn(_ flow: ConnectFlow, brandName: String, message: String?) -> String {
        let testNote = flow.request.mode == .live ? "" : """
        <p class="fine">\(flow.request.mode.rawValue.capitalized) mode: any e-mail address and password sign in to a simulated account.</p>
        """
        return layout(title: "Sign in to \(brandName)", mode: flow.request.mode, body: """
        <h1>Sign in to \(brandName.html)</h1>
        <p>Use the account you use in the \(brandName.html) app.</p>
        \(messageBox(message))
        \(form(flow, action: "sign-in", """
        <label for="username">E-mail</label>
        <input id="username" name="username" type="email" autocomplete="username" required>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button id="sign-in-button" class="primary" type="submit">Sign in</button>
        """))
        \(testNote)
        """)
    }

    /// Brands that sign owners in on their own site (Tesla): one button there, and what is still missing on return.
    private func externalSignIn(_ flow: ConnectFlow, brandName: String, message: String?) -> String {
        let missing = flow.missingAtBrand.map { permissions in
            "<ul>" + permissions.map { "<li>\($0.plainDescription.html)</li>" }.joined() + "</ul>"
        } ?? ""
        let action = flow.missingAtBrand == nil ? "Continue to \(brandName)" : "Return to \(brandName)"
        return layout(title: "Sign in with \(brandName)", mode: flow.request.mode, body: """
        <h1>Sign in with \(brandName.html)</h1>
        <p>\(brandName.html) asks you to sign in and choose what \(flow.applicationName.html) may access on its own site, then brings you back here.</p>
        \(messageBox(message))
        \(missing)
        \(form(flow, action: "external", """
        <button id="external-sign-in-button" class="primary" type="submit">\(action.html)</button>
        """))
        """)
    }

    private func vehicles(_ flow: ConnectFlow, brands: [Brand], message: String?) -> String {
        let type = flow.request.singleSelect ? "radio" : "checkbox"
        let items = flow.selectableVehicles.enumerated().map { (index: Int, vehicle: VehicleIdentity) -> String in
            """
            <li><label class="check" for="vehicle-\(index)">
              <input id="vehicle-\(index)" type="\(type)" name="vin" value="\(vehicle.vin.html)"\(flow.request.singleSelect && index > 0 ? "" : " checked")>
              <span><span class="vehicle">\(Self.name(of: vehicle, brands: brands).html)</span><br><span class="vin">VIN \(vehicle.vin.html)</span></span>
            </label></li>
            """
        }.joined(separator: "\n")
        return layout(title: "Choose vehicles", mode: flow.request.mode, body: """
        <h1>Which \(flow.request.singleSelect ? "vehicle" : "vehicles") should <span class="app">\(flow.applicationName.html)</span> connect to?</h1>
        \(messageBox(message))
        \(form(flow, action: "vehicles", """
        <fieldset class="bare"><legend class="fine">Vehicles in your account</legend>
        <ul class="plain">\(items)</ul></fieldset>
        <button id="vehicles-continue-button" class="primary" type="submit">Continue</button>
        """))
        """)
    }

    private func consent(_ flow: ConnectFlow, brands: [Brand], message: String?) -> String {
        let required = flow.request.permissions.requiredPermissions
        let items = flow.request.permissions.permissions.map { (permission: Permission) -> String in
            let id = "permission-\(permission.rawValue)"
            let isRequired = required.contains(permission)
            let input = isRequired
                ? "<input id=\"\(id)\" type=\"checkbox\" checked disabled aria-describedby=\"\(id)-required\"><input type=\"hidden\" name=\"permission\" value=\"\(permission.rawValue)\">"
                : "<input id=\"\(id)\" type=\"checkbox\" name=\"permission\" value=\"\(permission.rawValue)\" checked>"
            let note = isRequired ? "<span id=\"\(id)-required\" class=\"required\">(required)</span>" : ""
            return "<li><label class=\"check\" for=\"\(id)\">\(input)<span>\(permission.plainDescription.html)\(note)</span></label></li>"
        }.joined(separator: "\n")
        let vehicleNames = (flow.selectedVINs.isEmpty ? flow.selectableVehicles : flow.selectableVehicles.filter {
            flow.selectedVINs.contains($0.vin)
        }).map { Self.name(of: $0, brands: brands) }
        return layout(title: "Allow access", mode: flow.request.mode, body: """
        <h1>Allow <span class="app">\(flow.applicationName.html)</span> to:</h1>
        <p>For \(vehicleNames.joined(separator: ", ").html)</p>
        \(messageBox(message))
        \(form(flow, action: "consent", """
        <ul class="plain">\(items)</ul>
        <button id="approval-button" class="primary" type="submit" name="decision" value="approve">Allow</button>
        <button id="deny-button" class="secondary" type="submit" name="decision" value="deny">Deny</button>
        """))
        <p class="fine">You can revoke access at any time.</p>
        """)
    }

    // MARK: - Pieces

    /// "2023 Kia EV6", with the brand's display name.
    private static func name(of vehicle: VehicleIdentity, brands: [Brand]) -> String {
        let brand = brands.first { $0.make == vehicle.make }?.displayName ?? vehicle.make
        return "\(vehicle.year) \(brand) \(vehicle.model)"
    }

    private func form(_ flow: ConnectFlow, action: String, _ content: String) -> String {
        """
        <form method="post" action="/connect/\(flow.id.uuidString.lowercased())/\(action)">
        <input type="hidden" name="csrf_token" value="\(flow.csrfToken.html)">
        \(content)
        </form>
        """
    }

    func messageBox(_ message: String?) -> String {
        guard let message else { return "" }
        return "<div class=\"message\" role=\"alert\">\(message.html)</div>"
    }

    func layout(title: String, mode: ApplicationMode?, body: String) -> String {
        let badge = mode.map { $0 == .live ? "" : "<span class=\"mode\">\($0.rawValue) mode</span>" } ?? ""
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title.html) · Carport Connect</title>
        <style nonce="\(nonce)">\(ConnectPageStyle.css)</style>
        </head>
        <body>
        <main class="page-content">
        <div class="card">
        <div class="topbar"><span class="wordmark">Carport Connect</span>\(badge)</div>
        \(body)
        </div>
        </main>
        </body>
        </html>
        """
    }
}
