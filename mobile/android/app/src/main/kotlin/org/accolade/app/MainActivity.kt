package org.accolade.app

import android.app.Application
import android.content.Intent
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import androidx.activity.viewModels
import androidx.compose.material3.MaterialTheme
import org.accolade.app.core.AppModel
import org.accolade.app.core.BadgesViewModel
import org.accolade.app.core.LiveViewModel
import org.accolade.app.core.OutboxViewModel
import org.accolade.app.core.QueueViewModel
import org.accolade.app.core.ScanViewModel
import org.accolade.app.core.Connection
import org.accolade.app.ui.AccoladeApp
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch
import uniffi.accolade_ffi.AccoladeClient
import uniffi.accolade_ffi.AccoladeEvent
import java.io.File

/**
 * Holds the process-wide logic: one client (its SQLite store in the app's private files), the
 * [AppModel], and the long-lived view models. Everything else is in :core-logic.
 */
class AccoladeViewModel(application: Application) : AndroidViewModel(application) {
    val client = AccoladeClient(BuildConfig.SERVER_URL, File(application.filesDir, "accolade.db").path)
    val app = AppModel(client, viewModelScope)
    val live = LiveViewModel(app)
    val badges = BadgesViewModel(app)
    val queue = QueueViewModel(app)
    val outbox = OutboxViewModel(app)
    val scan = ScanViewModel(app)

    init {
        live.subscribe { e ->
            when (e) {
                is AccoladeEvent.AwardIssued -> badges.onAwardIssued(e.badge)
                is AccoladeEvent.AwardRevoked -> badges.onAwardRevoked(e.badge)
                is AccoladeEvent.NominationCreated -> queue.onNominationCreated(e.nomination)
                is AccoladeEvent.NominationDecided -> queue.onNominationDecided(e.nomination)
                is AccoladeEvent.ResyncRequired -> { badges.load(); queue.load() }
                else -> Unit
            }
        }
        // Listen while signed in; send what was queued offline as soon as the server answers.
        viewModelScope.launch {
            app.user.map { it != null }.distinctUntilChanged().collect { signedIn -> if (signedIn) live.start() else live.stop() }
        }
        viewModelScope.launch {
            app.connection.collect { if (it == Connection.ONLINE && app.user.value != null) { outbox.refresh(); if (outbox.state.value.queued.isNotEmpty()) outbox.flush() } }
        }
    }

    override fun onCleared() {
        live.stop()
        client.close()
    }
}

class MainActivity : ComponentActivity() {
    private val vm: AccoladeViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        handleLink(intent)
        setContent {
            MaterialTheme { AccoladeApp(vm) }
        }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        handleLink(intent)
    }

    /** An Accolade URL opened from outside (camera app, link): the same as scanning it. */
    private fun handleLink(intent: Intent?) {
        val url = intent?.takeIf { it.action == Intent.ACTION_VIEW }?.dataString ?: return
        vm.scan.rearm()
        vm.scan.onScanned(url)
    }
}
