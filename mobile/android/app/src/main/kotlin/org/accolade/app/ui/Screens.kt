package org.accolade.app.ui

import android.content.Intent
import androidx.activity.compose.BackHandler
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.ArrowBack
import androidx.compose.material.icons.filled.Notifications
import androidx.compose.material.icons.filled.QrCodeScanner
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Badge
import androidx.compose.material3.BadgedBox
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.FilterChip
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.delay
import org.accolade.app.AccoladeViewModel
import org.accolade.app.R
import org.accolade.app.core.BadgeDetailViewModel
import org.accolade.app.core.Connection
import org.accolade.app.core.NominateViewModel
import org.accolade.app.core.PeerOfferViewModel
import org.accolade.app.core.Screen
import org.accolade.app.core.SignInViewModel
import uniffi.accolade_ffi.UserRole

/** Draws the current screen of the logic's navigator; no navigation decisions here. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun AccoladeApp(vm: AccoladeViewModel) {
    val stack by vm.app.navigator.stack.collectAsStateWithLifecycle()
    val connection by vm.app.connection.collectAsStateWithLifecycle()
    val user by vm.app.user.collectAsStateWithLifecycle()
    val live by vm.live.state.collectAsStateWithLifecycle()
    val screen = stack.last()
    BackHandler(enabled = stack.size > 1) { vm.app.navigator.back() }
    Scaffold(topBar = {
        if (screen != Screen.SignIn) TopAppBar(
            title = { Text(user?.displayName ?: "") },
            navigationIcon = {
                if (stack.size > 1) IconButton(onClick = { vm.app.navigator.back() }) {
                    Icon(Icons.AutoMirrored.Filled.ArrowBack, stringResource(R.string.back))
                }
            },
            actions = {
                IconButton(onClick = { vm.app.navigator.push(Screen.Scan) }) { Icon(Icons.Filled.QrCodeScanner, stringResource(R.string.scan)) }
                IconButton(onClick = { vm.live.markRead(); vm.app.navigator.push(Screen.Notifications) }) {
                    BadgedBox(badge = { if (live.unread > 0) Badge { Text("${live.unread}") } }) {
                        Icon(Icons.Filled.Notifications, stringResource(R.string.notifications))
                    }
                }
            },
        )
    }) { padding ->
        Column(Modifier.padding(padding).fillMaxSize()) {
            if (connection == Connection.OFFLINE) OfflineBanner()
            when (screen) {
                Screen.SignIn -> SignInScreen(remember { SignInViewModel(vm.app) })
                Screen.Badges -> BadgesScreen(vm, isTeacher = user?.role != UserRole.STUDENT)
                is Screen.BadgeDetail -> BadgeDetailScreen(remember(screen) { BadgeDetailViewModel(vm.app, screen.awardId) })
                Screen.Nominate -> NominateScreen(remember { NominateViewModel(vm.app) }, onOffer = { vm.app.navigator.push(Screen.PeerOffer(it)) })
                Screen.Scan -> ScanScreen(vm)
                is Screen.PeerOffer -> PeerOfferScreen(vm, remember(screen) { PeerOfferViewModel(vm.app, screen.badgeClassId) })
                Screen.Queue -> QueueScreen(vm)
                Screen.Notifications -> NotificationsScreen(vm)
            }
        }
    }
}

@Composable
private fun SignInScreen(vm: SignInViewModel) {
    val s by vm.state.collectAsStateWithLifecycle()
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedTextField(s.login, vm::setLogin, label = { Text(stringResource(R.string.login_label)) },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email), singleLine = true, modifier = Modifier.fillMaxWidth())
        OutlinedTextField(s.password, vm::setPassword, label = { Text(stringResource(R.string.password_label)) },
            visualTransformation = PasswordVisualTransformation(), singleLine = true, modifier = Modifier.fillMaxWidth(),
            isError = s.error?.field == "credentials")
        Button(onClick = { vm.signInWithPassword() }, enabled = s.canSubmitPassword) { Text(stringResource(R.string.sign_in)) }
        OutlinedTextField(s.cardCode, vm::setCardCode, label = { Text(stringResource(R.string.card_code_label)) }, singleLine = true,
            modifier = Modifier.fillMaxWidth())
        OutlinedButton(onClick = { vm.signInWithCard() }, enabled = s.canSubmitCard) { Text(stringResource(R.string.sign_in_card)) }
        Text(stringResource(R.string.scan_card))
        QrScanner(onText = { vm.onCardScanned(it) }, modifier = Modifier.fillMaxWidth().aspectRatio(1f))
        if (s.busy) CircularProgressIndicator()
        ErrorText(s.error)
    }
}

@Composable
private fun BadgesScreen(vm: AccoladeViewModel, isTeacher: Boolean) {
    val s by vm.badges.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { vm.badges.load() }
    Column(Modifier.padding(16.dp)) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Button(onClick = { vm.app.navigator.push(Screen.Nominate) }) { Text(stringResource(R.string.nominate)) }
            if (isTeacher) OutlinedButton(onClick = { vm.app.navigator.push(Screen.Queue) }) { Text(stringResource(R.string.queue)) }
        }
        if (s.loading) CircularProgressIndicator()
        ErrorText(s.error)
        if (s.isEmpty) Text(stringResource(R.string.no_badges))
        LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
            items(s.badges, key = { it.id }) { b ->
                Card(Modifier.fillMaxWidth().clickable { vm.badges.open(b) }) {
                    Row(Modifier.padding(8.dp), horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                        b.bakedPng?.let { PngImage(it, b.name, Modifier.size(64.dp)) }
                        Column {
                            Text(b.name)
                            Text(b.issuerName)
                            if (s.fromCache) Text(stringResource(R.string.from_cache))
                        }
                    }
                }
            }
        }
    }
}

@Composable
private fun BadgeDetailScreen(vm: BadgeDetailViewModel) {
    val s by vm.state.collectAsStateWithLifecycle()
    val ctx = LocalContext.current
    LaunchedEffect(vm) { vm.load() }
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        if (s.loading) CircularProgressIndicator()
        s.badge?.let { b ->
            b.bakedPng?.let { PngImage(it, b.name, Modifier.fillMaxWidth().aspectRatio(1f)) }
            Text(b.name)
            Text(b.description)
            b.narrative?.let { Text(it) }
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = {
                    val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, s.shareText)
                    ctx.startActivity(Intent.createChooser(send, null))
                }) { Text(stringResource(R.string.share)) }
                OutlinedButton(onClick = { vm.verify() }, enabled = !s.verifying) { Text(stringResource(R.string.verify)) }
            }
        }
        s.verificationText?.let { Text(it) }
        ErrorText(s.error)
    }
}

@Composable
private fun NominateScreen(vm: NominateViewModel, onOffer: (String) -> Unit) {
    val s by vm.state.collectAsStateWithLifecycle()
    LaunchedEffect(vm) { vm.load() }
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        s.badges.forEach { b ->
            FilterChip(selected = s.badgeId == b.id, onClick = { vm.selectBadge(b.id) }, label = { Text(b.name) })
        }
        s.classmates.forEach { p ->
            Row(Modifier.fillMaxWidth().clickable { vm.toggleNominee(p.id) }) {
                Checkbox(checked = p.id in s.nomineeIds, onCheckedChange = { vm.toggleNominee(p.id) })
                Text(p.displayName, Modifier.padding(top = 12.dp))
            }
        }
        OutlinedTextField(s.narrative, vm::setNarrative, label = { Text(stringResource(R.string.narrative_label)) },
            minLines = 3, modifier = Modifier.fillMaxWidth(), isError = s.error?.field == "narrative")
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Button(onClick = { vm.send() }, enabled = s.canSend) { Text(stringResource(R.string.send)) }
            s.badgeId?.let { id -> OutlinedButton(onClick = { onOffer(id) }) { Text(stringResource(R.string.give_badge)) } }
        }
        s.done?.let { Text(it) }
        ErrorText(s.error)
    }
}

@Composable
private fun ScanScreen(vm: AccoladeViewModel) {
    val s by vm.scan.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { vm.scan.rearm() }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        QrScanner(onText = { vm.scan.onScanned(it) }, modifier = Modifier.fillMaxWidth().aspectRatio(1f))
        if (s.busy) CircularProgressIndicator()
        s.result?.let { Text(it) }
        ErrorText(s.error)
        if (s.error != null) TextButton(onClick = { vm.scan.rearm() }) { Text(stringResource(R.string.try_again)) }
    }
}

@Composable
private fun PeerOfferScreen(app: AccoladeViewModel, vm: PeerOfferViewModel) {
    val s by vm.state.collectAsStateWithLifecycle()
    LaunchedEffect(vm) {
        vm.create()
        while (true) { delay(1000); vm.tick() }
    }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        s.offer?.let { o ->
            val png = remember(o.url) { runCatching { app.client.renderQrPng(o.url, 12u) }.getOrNull() }
            png?.let { PngImage(it, o.badgeName, Modifier.fillMaxWidth().aspectRatio(1f)) }
            Text(o.badgeName)
            if (s.expired) {
                Text(stringResource(R.string.offer_expired))
                Button(onClick = { vm.create() }) { Text(stringResource(R.string.new_code)) }
            } else {
                Text(stringResource(R.string.offer_expires, s.secondsLeft.toInt()))
            }
        }
        ErrorText(s.error)
    }
}

@Composable
private fun QueueScreen(vm: AccoladeViewModel) {
    val s by vm.queue.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { vm.queue.load() }
    Column(Modifier.padding(16.dp)) {
        OutlinedButton(onClick = { vm.app.navigator.push(Screen.Badges) }) { Text(stringResource(R.string.my_badges)) }
        if (s.loading) CircularProgressIndicator()
        s.message?.let { Text(it) }
        ErrorText(s.error)
        if (!s.loading && s.items.isEmpty()) Text(stringResource(R.string.queue_empty))
        LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
            items(s.items, key = { it.id }) { n ->
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(8.dp)) {
                        Text("${n.nominee.displayName} — ${n.badgeName}")
                        Text("${n.nominator.displayName}, ${n.classTitle}")
                        Text(n.narrative)
                        if (n.id in s.pendingSync) {
                            Text(stringResource(R.string.will_send))
                        } else Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                            Button(onClick = { vm.queue.approve(n.id) }, enabled = n.id !in s.busy) { Text(stringResource(R.string.approve)) }
                            OutlinedButton(onClick = { vm.queue.startReject(n.id) }, enabled = n.id !in s.busy) { Text(stringResource(R.string.reject)) }
                        }
                    }
                }
            }
        }
    }
    if (s.rejecting != null) AlertDialog(
        onDismissRequest = { vm.queue.cancelReject() },
        title = { Text(stringResource(R.string.reject)) },
        text = { OutlinedTextField(s.reason, vm.queue::setReason, label = { Text(stringResource(R.string.reject_reason)) }, minLines = 2) },
        confirmButton = { TextButton(onClick = { vm.queue.confirmReject() }, enabled = s.canConfirmReject) { Text(stringResource(R.string.reject)) } },
        dismissButton = { TextButton(onClick = { vm.queue.cancelReject() }) { Text(stringResource(R.string.cancel)) } },
    )
}

@Composable
private fun NotificationsScreen(vm: AccoladeViewModel) {
    val s by vm.live.state.collectAsStateWithLifecycle()
    Column(Modifier.padding(16.dp)) {
        TextButton(onClick = { SignInViewModel(vm.app).signOut() }) { Text(stringResource(R.string.sign_out)) }
        LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
            items(s.notices, key = { it.id }) { Text(it.text) }
        }
    }
}
