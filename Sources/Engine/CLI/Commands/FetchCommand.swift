// skiff fetch IMAGE...

enum FetchCommand {
    static let spec = CommandSpec(
        name: "fetch",
        summary: "Fetch images into the store, verifying their signatures",
        usage: "skiff fetch [--signature=FILE] [--pull-policy=update] [--full] IMAGE...",
        details: """
            IMAGE is a file (an .aci path or file://), an http(s) URL (its signature is the URL plus
            .asc), an appc name resolved by meta-discovery (example.com/app:v1.0,arch=amd64), or an
            image ID already in the store. Images must be signed by a key trusted for their name
            ('skiff trust') unless --insecure-options=image. Prints each image's ID.
            OCI and Docker images: docker://[HOST[:PORT]/]REPO[:TAG|@DIGEST] (a registry; plain
            http only with --insecure-options=http), oci:DIR[:REF], oci-archive:FILE[:REF],
            docker-archive:FILE[:REPO:TAG]. They have no signatures: they need
            --insecure-options=image unless named by digest (REPO@sha256:...), whose content is
            then verified.
            """,
        flags: [
            FlagSpec("signature", .value(placeholder: "FILE", defaultValue: nil), help: "signature file of the (single) image"),
            FlagSpec(
                "pull-policy", .value(placeholder: "new|update|never", defaultValue: "update"),
                help: "new: use the store when the image is there; update: ask the remote; never: store only"),
            FlagSpec("full", .bool, help: "print the full image ID"),
            FlagSpec("no-progress", .bool, help: "never draw a progress bar"),
        ],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let images = try invocation.positionals(atLeast: 1, "IMAGE")
        var options = FetchOptions()
        options.pullPolicy = try PullPolicy(parsing: invocation.value("pull-policy") ?? "update")
        options.signaturePath = invocation.value("signature")
        options.progress = !invocation.arguments.isSet("no-progress")
        if options.signaturePath != nil && images.count > 1 {
            throw SkiffError(.usage, "fetch: --signature applies to a single image, got \(images.count)")
        }
        let store = try invocation.imageStore()
        let fetcher = try invocation.fetcher(store)
        for image in images {
            let record = try fetcher.fetch(image, options: options)
            let id = try record.imageID
            invocation.output.out((invocation.arguments.isSet("full") ? id.value : id.short) + "\n")
        }
        return 0
    }
}
