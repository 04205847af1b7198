# La mochila: colecciones, páginas públicas, novedades y aplausos, exportación y borrado.
backpack-nav-collections = Mis colecciones
backpack-nav-feed = Novedades
backpack-nav-data = Mis datos

## Páginas públicas
backpack-profile-heading = Insignias de { $name }
backpack-profile-collections = Colecciones
backpack-profile-badge-count = { $count ->
    [one] Una insignia
   *[other] { $count } insignias
}
backpack-views = { $count ->
    [one] Vista una vez (solo tú ves este número)
   *[other] Vista { $count } veces (solo tú ves este número)
}
backpack-collection-by = Una colección de { $name }
backpack-collection-school-only = Solo las personas que han iniciado sesión en tu centro pueden ver esta colección.
backpack-collection-empty = Todavía no hay insignias en esta colección.
backpack-collection-verify = Comprobar esta insignia
backpack-collection-issued = Conseguida
backpack-collection-edit = Editar esta colección
backpack-collection-why = Por qué importa
backpack-embed-open = Verla en Accolade
backpack-og-collection-description = { $count ->
    [one] Una insignia reunida por { $name }
   *[other] { $count } insignias reunidas por { $name }
}
backpack-og-profile-description = { $count ->
    [one] Una colección de insignias de { $name }
   *[other] { $count } colecciones de insignias de { $name }
}
backpack-og-profile-image-alt = Insignias de { $name }
backpack-og-image-alt = { $title }: { $count ->
    [one] una insignia
   *[other] { $count } insignias
}
backpack-og-badge-description = La insignia «{ $badge }», emitida por { $issuer }.
backpack-follow = Seguir
backpack-unfollow = Dejar de seguir
backpack-block = Bloquear
backpack-unblock = Desbloquear
backpack-blocked-note = Has bloqueado a este alumno: no puede seguirte, ver tus colecciones del centro ni aplaudir tus insignias.
backpack-following-note = Sigues a este alumno: sus insignias compartidas aparecen en tus novedades.
backpack-block-help = Al bloquear, deja de seguirte y no puede ver tus colecciones del centro ni aplaudir tus insignias.

## Mis colecciones
backpack-collections-title = Mis colecciones
backpack-collections-intro = Agrupa tus insignias en colecciones y elige quién puede ver cada una.
backpack-collections-empty = Todavía no tienes colecciones.
backpack-collections-badges = { $count ->
    [one] Una insignia
   *[other] { $count } insignias
}
backpack-collections-address = Dirección
backpack-collections-open = Abrir
backpack-new-heading = Nueva colección
backpack-field-title = Título
backpack-field-title-help = La dirección de la colección se crea a partir de su título.
backpack-field-subtitle = Subtítulo (opcional)
backpack-field-visibility = Quién puede verla
backpack-visibility-private = Solo yo
backpack-visibility-private-help = Nadie más puede abrirla.
backpack-visibility-school = Mi centro
backpack-visibility-school-help = Las personas que han iniciado sesión en tu centro pueden abrirla.
backpack-visibility-public = Todo el mundo
backpack-visibility-public-help = Solo yo: nadie más la ve. Mi centro: las personas de tu centro con sesión iniciada. Cualquiera con el enlace: tiene una dirección pública que puedes compartir.
backpack-visibility-public-not-allowed = Tu centro no te permite hacer públicas las colecciones.
backpack-create = Crear colección
backpack-error-public-not-allowed = Tu centro no te permite hacer públicas las colecciones. Elige «Mi centro» o «Solo yo».
backpack-error-choose-badge = Elige una de tus insignias.
backpack-sharing-heading = Mis páginas públicas
backpack-sharing-profile = Tu perfil público: { $url }
backpack-sharing-show-name = Mostrar mi nombre en mis páginas públicas (si no, solo se ve mi usuario)
backpack-sharing-indexing = Permitir que los buscadores muestren mis páginas públicas
backpack-sharing-save = Guardar
backpack-notice-created = Colección creada. Añade tus insignias abajo.
backpack-notice-saved = Guardado.
backpack-notice-renamed = Guardado. La colección tiene una dirección nueva; la antigua sigue llevando aquí.
backpack-notice-items = Insignias actualizadas.
backpack-notice-deleted = Colección borrada. Tus insignias siguen en tu mochila.
backpack-notice-sharing-saved = Tus preferencias se han guardado.

## Una colección
backpack-edit-back = Mis colecciones
backpack-edit-settings = Título y visibilidad
backpack-edit-save = Guardar
backpack-edit-address = Dirección: { $url }
backpack-edit-address-private = Esta colección es privada: su dirección no muestra nada a nadie más.
backpack-edit-badges = Insignias
backpack-edit-empty = Todavía no hay insignias en esta colección.
backpack-edit-position = Insignia { $position }
backpack-edit-comment = Por qué es importante
backpack-edit-comment-help = Hasta { $max } caracteres.
backpack-edit-save-comment = Guardar comentario
backpack-edit-up = Subir
backpack-edit-down = Bajar
backpack-edit-remove = Quitar
backpack-edit-not-shown = No se muestra en público (oculta, revocada o caducada)
backpack-edit-add = Añadir una insignia
backpack-edit-add-badge = Insignia
backpack-edit-add-choose = Elige una insignia…
backpack-edit-add-none = Todas tus insignias ya están en esta colección.
backpack-edit-add-button = Añadir insignia
backpack-share-heading = Compartir
backpack-share-link = Enlace para compartir
backpack-share-embed = Código para insertarla en un blog o portafolio
backpack-share-embed-help = Copia este código en una página web para mostrar allí la colección.
backpack-share-private = Elige «Mi centro» o «Todo el mundo» para compartir esta colección.
backpack-share-embed-public-only = Solo las colecciones visibles para todo el mundo se pueden insertar en otros sitios.
backpack-delete-heading = Borrar esta colección
backpack-delete-help = La colección desaparece; tus insignias se quedan en tu mochila.
backpack-delete-confirm = Sí, borrar esta colección
backpack-delete-confirm-missing = Marca la casilla para confirmarlo.
backpack-delete-button = Borrar colección

## Novedades y aplausos
backpack-feed-title = Novedades
backpack-feed-intro = Insignias que comparten con tu centro las personas a las que sigues.
backpack-feed-empty = Todavía no hay nada. Sigue a tus compañeros desde sus páginas públicas para ver sus insignias.
backpack-feed-earned = { $name } ha conseguido
backpack-feed-cheers = { $count ->
    [0] Sin aplausos todavía
    [one] Un aplauso
   *[other] { $count } aplausos
}
backpack-cheer = Aplaudir
backpack-uncheer = Retirar aplauso
backpack-feed-following = Personas a las que sigues
backpack-feed-following-none = Todavía no sigues a nadie.
backpack-feed-blocked = Personas bloqueadas
backpack-feed-newer = Más recientes
backpack-feed-older = Anteriores
backpack-cheers-title = Aplausos
backpack-cheers-count = { $count ->
    [0] Nadie ha aplaudido esta insignia todavía.
    [one] Una persona ha aplaudido esta insignia:
   *[other] { $count } personas han aplaudido esta insignia:
}
backpack-cheers-back = Volver a la insignia

## Mis datos
backpack-data-title = Mis datos
backpack-data-export-heading = Descargarlo todo
backpack-data-export-text = Un archivo zip con cada insignia como imagen (PNG y SVG, con la insignia dentro para que otras mochilas puedan leerla), los datos Open Badges de cada una, tus colecciones y nominaciones, y una página para leerlo todo.
backpack-data-export-button = Descargar mis datos (zip)
backpack-data-delete-heading = Borrar mi cuenta
backpack-data-delete-text = No se puede deshacer. Se borran tu nombre, tu correo, tus colecciones, a quién sigues y tus aplausos. Tus insignias se anulan (sus páginas de verificación dirán que la cuenta se borró). Tu centro guarda una nota de que se borró una cuenta, sin tus datos.
backpack-data-delete-label = Escribe tu usuario ({ $handle }) para confirmarlo
backpack-data-delete-button = Borrar mi cuenta para siempre
backpack-data-delete-mismatch = Ese no es tu usuario. Escríbelo exactamente para confirmarlo.
backpack-data-deleted = Tu cuenta se ha borrado
backpack-data-deleted-text = Tus datos personales y colecciones se han borrado y se ha cerrado tu sesión. Gracias por usar Accolade.
