# The backpack: collections, public pages, feed and cheers, export and deletion.
backpack-nav-collections = My collections
backpack-nav-feed = Feed
backpack-nav-data = My data

## Public pages
backpack-profile-heading = Badges of { $name }
backpack-profile-collections = Collections
backpack-profile-badge-count = { $count ->
    [one] One badge
   *[other] { $count } badges
}
backpack-views = { $count ->
    [one] Seen once (only you can see this number)
   *[other] Seen { $count } times (only you can see this number)
}
backpack-collection-by = A collection by { $name }
backpack-collection-school-only = Only people signed in to your school can see this collection.
backpack-collection-empty = There are no badges in this collection yet.
backpack-collection-verify = Check this badge
backpack-collection-issued = Earned
backpack-collection-edit = Edit this collection
backpack-collection-why = Why it matters
backpack-embed-open = See it on Accolade
backpack-og-collection-description = { $count ->
    [one] One badge collected by { $name }
   *[other] { $count } badges collected by { $name }
}
backpack-og-profile-description = { $count ->
    [one] One collection of badges by { $name }
   *[other] { $count } collections of badges by { $name }
}
backpack-og-profile-image-alt = Badges of { $name }
backpack-og-image-alt = { $title }: { $count ->
    [one] one badge
   *[other] { $count } badges
}
backpack-og-badge-description = The badge “{ $badge }”, issued by { $issuer }.
backpack-follow = Follow
backpack-unfollow = Stop following
backpack-block = Block
backpack-unblock = Unblock
backpack-blocked-note = You blocked this student: they cannot follow you, see your school collections or cheer your badges.
backpack-following-note = You follow this student: their shared badges appear in your feed.
backpack-block-help = Blocking stops them following you, seeing your school collections and cheering your badges.

## My collections
backpack-collections-title = My collections
backpack-collections-intro = Group your badges into collections and choose who can see each one.
backpack-collections-empty = You have no collections yet.
backpack-collections-badges = { $count ->
    [one] One badge
   *[other] { $count } badges
}
backpack-collections-address = Address
backpack-collections-open = Open
backpack-new-heading = New collection
backpack-field-title = Title
backpack-field-title-help = The address of the collection is made from its title.
backpack-field-subtitle = Subtitle (optional)
backpack-field-visibility = Who can see it
backpack-visibility-private = Only me
backpack-visibility-private-help = Nobody else can open it.
backpack-visibility-school = My school
backpack-visibility-school-help = People signed in to your school can open it.
backpack-visibility-public = Everyone
backpack-visibility-public-help = Only me: nobody else sees it. My school: signed-in people at your school. Anyone with the link: it gets a public address you can share.
backpack-visibility-public-not-allowed = Your school does not let you make collections public.
backpack-create = Create collection
backpack-error-public-not-allowed = Your school does not allow you to make collections public. Choose “My school” or “Only me”.
backpack-error-choose-badge = Choose one of your badges.
backpack-sharing-heading = My public pages
backpack-sharing-profile = Your public profile: { $url }
backpack-sharing-show-name = Show my display name on my public pages (otherwise only my handle is shown)
backpack-sharing-indexing = Let search engines list my public pages
backpack-sharing-save = Save choices
backpack-notice-created = Collection created. Add your badges below.
backpack-notice-saved = Saved.
backpack-notice-renamed = Saved. The collection has a new address; the old one still leads here.
backpack-notice-items = Badges updated.
backpack-notice-deleted = Collection deleted. Your badges are still in your backpack.
backpack-notice-sharing-saved = Your choices are saved.

## One collection
backpack-edit-back = My collections
backpack-edit-settings = Title and visibility
backpack-edit-save = Save
backpack-edit-address = Address: { $url }
backpack-edit-address-private = This collection is private: its address shows nothing to anyone else.
backpack-edit-badges = Badges
backpack-edit-empty = No badges in this collection yet.
backpack-edit-position = Badge { $position }
backpack-edit-comment = Why this one matters
backpack-edit-comment-help = Up to { $max } characters.
backpack-edit-save-comment = Save comment
backpack-edit-up = Move up
backpack-edit-down = Move down
backpack-edit-remove = Remove
backpack-edit-not-shown = Not shown publicly (hidden, revoked or expired)
backpack-edit-add = Add a badge
backpack-edit-add-badge = Badge
backpack-edit-add-choose = Choose a badge…
backpack-edit-add-none = All your badges are already in this collection.
backpack-edit-add-button = Add badge
backpack-share-heading = Share
backpack-share-link = Link to share
backpack-share-embed = Embed code for a blog or e-portfolio
backpack-share-embed-help = Copy this code into a web page to show the collection there.
backpack-share-private = Choose “My school” or “Everyone” to share this collection.
backpack-share-embed-public-only = Only collections visible to everyone can be embedded on other sites.
backpack-delete-heading = Delete this collection
backpack-delete-help = The collection goes away; your badges stay in your backpack.
backpack-delete-confirm = Yes, delete this collection
backpack-delete-confirm-missing = Tick the box to confirm.
backpack-delete-button = Delete collection

## Feed and cheers
backpack-feed-title = Feed
backpack-feed-intro = Badges that the people you follow share with your school.
backpack-feed-empty = Nothing here yet. Follow schoolmates from their public pages to see their badges.
backpack-feed-earned = { $name } earned
backpack-feed-cheers = { $count ->
    [0] No cheers yet
    [one] One cheer
   *[other] { $count } cheers
}
backpack-cheer = Cheer
backpack-uncheer = Take back cheer
backpack-feed-following = People you follow
backpack-feed-following-none = You don't follow anyone yet.
backpack-feed-blocked = People you blocked
backpack-feed-newer = Newer
backpack-feed-older = Older
backpack-cheers-title = Cheers
backpack-cheers-count = { $count ->
    [0] Nobody has cheered this badge yet.
    [one] One person cheered this badge:
   *[other] { $count } people cheered this badge:
}
backpack-cheers-back = Back to the badge

## My data
backpack-data-title = My data
backpack-data-export-heading = Download everything
backpack-data-export-text = One zip file with every badge as an image (PNG and SVG, with the badge inside so other backpacks can read it), the Open Badges data of each, your collections and nominations, and a page to read it all.
backpack-data-export-button = Download my data (zip)
backpack-data-delete-heading = Delete my account
backpack-data-delete-text = This cannot be undone. Your name, e-mail, collections, follows and cheers are removed. Your badges are cancelled (their verification pages will say the account was deleted). Your school keeps a note that an account was deleted, without your details.
backpack-data-delete-label = Type your handle ({ $handle }) to confirm
backpack-data-delete-button = Delete my account for ever
backpack-data-delete-mismatch = That is not your handle. Type it exactly to confirm.
backpack-data-deleted = Your account is deleted
backpack-data-deleted-text = Your personal data and collections are gone and you are signed out. Thank you for using Accolade.
