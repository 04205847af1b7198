// swift-tools-version:6.0
// AccoladeKit: the iOS app's logic (plain Swift view models over the accolade-ffi bindings;
// Foundation only, so it also builds and is tested on Linux: see mobile/apps-test.sh).
//
// The generated files are not committed. Before building, generate them (mobile/README.md):
//   Sources/AccoladeFFI/accolade_ffi.swift         uniffi-bindgen -l swift (the Swift side)
//   Sources/accolade_ffiFFI/accolade_ffiFFI.h      (Linux: the C header next to module.modulemap)
//   AccoladeFFI.xcframework                        (Apple: static libraries + header + module map)
import PackageDescription

#if os(Linux)
// Linux (tests): the header and a module map naming libaccolade_ffi.so; pass -L to the linker.
let ffi: Target = .systemLibrary(name: "accolade_ffiFFI", path: "Sources/accolade_ffiFFI")
#else
// Apple: the xcframework built by mobile/ios/build-xcframework.sh (device + simulator slices).
let ffi: Target = .binaryTarget(name: "accolade_ffiFFI", path: "AccoladeFFI.xcframework")
#endif

let package = Package(
    name: "AccoladeKit",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "AccoladeKit", targets: ["AccoladeKit"]),
    ],
    targets: [
        ffi,
        .target(
            name: "AccoladeFFI", dependencies: ["accolade_ffiFFI"], path: "Sources/AccoladeFFI",
            // The Rust static library's TLS and networking use these on Apple platforms.
            linkerSettings: [
                .linkedFramework("Security", .when(platforms: [.iOS, .macOS])),
                .linkedFramework("SystemConfiguration", .when(platforms: [.iOS, .macOS])),
            ]
        ),
        .target(name: "AccoladeKit", dependencies: ["AccoladeFFI"]),
        .testTarget(name: "AccoladeKitTests", dependencies: ["AccoladeKit"]),
    ]
)
