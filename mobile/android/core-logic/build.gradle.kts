// :core-logic: the app logic (view models, navigation, error mapping, offline banner, queues).
// An Android library only so it can depend on :ffi (JNA is an aar on Android); its sources
// must not import android.*: mobile/apps-test.sh compiles them with plain kotlinc on the JVM and
// runs src/test/kotlin against a real server.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "org.accolade.app.core"
    compileSdk = 35
    defaultConfig { minSdk = 26 }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    // src/test/kotlin is a main()-style integration test that needs a running server and the
    // host library: it runs through mobile/apps-test.sh, not Gradle's unit-test task.
    sourceSets["test"].java.setSrcDirs(emptyList<String>())
}

kotlin {
    jvmToolchain(17)
    compilerOptions { allWarningsAsErrors.set(true) }
}

dependencies {
    api(project(":ffi"))
}
