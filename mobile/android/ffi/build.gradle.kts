// :ffi: the Rust core for Android.
//  - cargoNdk: `cargo ndk` cross-compiles accolade-ffi for each ABI into build/jniLibs
//    (needs the Android NDK and `cargo install cargo-ndk`, and `rustup target add` per ABI).
//  - uniffiBindings: builds the host library and runs the workspace's pinned uniffi-bindgen on
//    it (library mode, --no-format) into build/generated/uniffi; generated code is not committed.
// Both run before every build of this module; cargo makes them no-ops when nothing changed.
import org.gradle.api.tasks.Exec

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

val workspace: File = rootDir.resolve("../..").canonicalFile
val cargoTarget: File = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: workspace.resolve("target")
val abis = (findProperty("accolade.abis") as String? ?: "arm64-v8a,x86_64").split(',').map(String::trim)
val jniOut = layout.buildDirectory.dir("jniLibs")
val bindingsOut = layout.buildDirectory.dir("generated/uniffi/kotlin")
val release = (findProperty("accolade.rustRelease") as String?)?.toBoolean() ?: true
val hostLib = cargoTarget.resolve("debug/" + System.mapLibraryName("accolade_ffi"))

val cargoNdk by tasks.registering(Exec::class) {
    group = "rust"
    description = "Cross-compiles accolade-ffi for $abis with cargo-ndk."
    workingDir = workspace
    val args = mutableListOf("cargo", "ndk", "--platform", "26")
    abis.forEach { args += listOf("-t", it) }
    args += listOf("-o", jniOut.get().asFile.path, "build", "-p", "accolade-ffi")
    if (release) args += "--release"
    commandLine(args)
}

val uniffiBindings by tasks.registering(Exec::class) {
    group = "rust"
    description = "Generates the Kotlin bindings of accolade-ffi (uniffi, library mode)."
    workingDir = workspace
    // Two cargo calls on purpose: building uniffi-bindgen together with the library would turn
    // uniffi's `cli` feature on for the library too.
    commandLine(
        "sh", "-c",
        "cargo build -q -p uniffi-bindgen && cargo build -q -p accolade-ffi && " +
            "rm -rf '${bindingsOut.get().asFile}' && " +
            "'${cargoTarget.resolve("debug/uniffi-bindgen")}' generate --no-format -l kotlin " +
            "-c '${projectDir.resolve("uniffi-android.toml")}' -o '${bindingsOut.get().asFile}' '$hostLib'",
    )
    outputs.dir(bindingsOut)
}

android {
    namespace = "org.accolade.ffi"
    compileSdk = 35
    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].apply {
        java.srcDir(bindingsOut)
        jniLibs.srcDir(jniOut)
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

tasks.named("preBuild") { dependsOn(cargoNdk, uniffiBindings) }

dependencies {
    // JNA as an aar: it carries libjnidispatch.so for every Android ABI (uniffi needs JNA >= 5.12).
    api("net.java.dev.jna:jna:5.14.0@aar")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.8.0")
}
