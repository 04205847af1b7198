package org.accolade.app.ui

import android.annotation.SuppressLint
import android.graphics.BitmapFactory
import androidx.compose.foundation.Image
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.accolade.app.R
import org.accolade.app.core.UserError

/** The translated text of a [UserError]: the string resource named by its key, else its English message. */
@SuppressLint("DiscouragedApi") // keys are data from :core-logic; a lookup table would duplicate them
@Composable
fun UserError.text(): String {
    val ctx = LocalContext.current
    val id = remember(key) { ctx.resources.getIdentifier(key, "string", ctx.packageName) }
    return if (id != 0) stringResource(id) else message
}

@Composable
fun ErrorText(e: UserError?) {
    if (e == null) return
    Text(e.text(), color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(8.dp).semantics { liveRegion = LiveRegionMode.Polite })
}

@Composable
fun OfflineBanner() {
    Box(Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.tertiaryContainer).padding(8.dp)) {
        Text(stringResource(R.string.offline_banner), modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite })
    }
}

/** PNG bytes (a baked badge, a rendered QR) as an image. */
@Composable
fun PngImage(bytes: ByteArray, description: String, modifier: Modifier = Modifier) {
    val bmp = remember(bytes) { BitmapFactory.decodeByteArray(bytes, 0, bytes.size)?.asImageBitmap() } ?: return
    Image(bmp, contentDescription = description, modifier = modifier)
}
