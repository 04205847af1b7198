// The Accolade Android app. Open this folder (mobile/android) in Android Studio.
// Modules:
//   :ffi         generated Kotlin bindings of accolade-ffi + the native libraries (cargo-ndk) + JNA
//   :core-logic  the app logic: view models and state, plain Kotlin with no android.* imports
//                (also compiled and tested on the JVM by mobile/apps-test.sh)
//   :app         the Jetpack Compose UI, CameraX + ML Kit barcode scanning
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "Accolade"
include(":ffi", ":core-logic", ":app")
