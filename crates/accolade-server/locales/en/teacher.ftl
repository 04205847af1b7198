# Teacher (and admin) pages under /teach/…, and the projector page.

## Navigation and shared words
teacher-nav-label = Teaching
teacher-nav-queue = Queue
teacher-nav-badges = Badges
teacher-nav-award = Award
teacher-nav-awards = Awards
teacher-nav-codes = Claim codes
teacher-nav-classes = Classes
teacher-nav-admin = School admin
teacher-form-has-errors = Some fields need a change: see the messages below them.
teacher-prev = Newer
teacher-next = Older
teacher-error-not-found = Not found
teacher-error-not-found-text = There is nothing here, or it belongs to another school.
teacher-error-forbidden = You can't do this here
teacher-error-forbidden-text = These pages are for teachers and admins, and some things only for the person who made them.
teacher-error-conflict = Something changed meanwhile
teacher-error-other = That didn't work
teacher-error-detail = { $detail }
teacher-error-home = Back to the queue
teacher-error-home-student = My badges

## Moderation queue
queue-title = Nominations to review
queue-empty = Nothing is waiting. New nominations appear here by themselves.
queue-filter-class = Class
queue-filter-all = All my classes
queue-filter-apply = Show
queue-select = Select the nomination of { $nominee }
queue-item-title = { $nominee } for { $badge }
queue-item-by = Nominated by { $nominator } in { $class }
queue-evidence = Evidence (opens another site)
queue-reason-label = Reason or what to change (needed to reject or return)
queue-reason-needed = Write a reason: the nominator sees it.
queue-approve = Approve
queue-return = Return for revision
queue-reject = Reject
queue-bulk-legend = Decide the selected nominations
queue-bulk-help = Tick nominations in the list, then choose.
queue-bulk-approve = Approve selected
queue-bulk-return = Return selected
queue-bulk-reject = Reject selected
queue-bulk-none = Select at least one nomination first.
queue-already-decided = Someone already decided this nomination.
queue-done-approved = Approved: the badge is awarded.
queue-done-rejected = Rejected: the nominator sees your reason.
queue-done-returned = Returned: the nominator can revise it.
queue-done-bulk = { $count ->
    [one] 1 nomination decided.
   *[other] { $count } nominations decided.
  }{ $failed ->
    [0] {""}
    [one] { " " }1 was already decided or not yours to decide.
   *[other] { " " }{ $failed } were already decided or not yours to decide.
  }
queue-new-show = { $count ->
    [one] 1 new nomination: show it
   *[other] { $count } new nominations: show them
  }
queue-new-announce = { $count ->
    [one] 1 new nomination is waiting.
   *[other] { $count } new nominations are waiting.
  }

## Badge classes
tbadges-title = Badges
tbadges-new = New badge
tbadges-back = All badges
tbadges-empty = No badges yet. Make the first one.
tbadges-awarded = { $count ->
    [one] Awarded once
   *[other] Awarded { $count } times
  }
tbadges-archived = Archived
tbadges-not-nominable = teachers only
tbadges-award-link = Award it
tbadges-code-link = Make a claim code
tbadge-new-title = New badge
tbadge-revision = Revision { $revision } · { $count ->
    [one] awarded once
   *[other] awarded { $count } times
  }. Changing the name, description, criteria or image after an award makes a new revision; awards keep theirs.
tbadge-read-only = Only the teacher who made this badge, or an admin, can change it.
tbadge-name = Name
tbadge-description = Description
tbadge-criteria = Criteria: what a student does to earn it
tbadge-criteria-help = Write the criteria here, or give a web page with them below (one of the two is needed).
tbadge-criteria-url = Criteria web page (optional)
tbadge-tags = Tags, separated by commas (optional)
tbadge-expires = Awards expire after this many days (leave empty for never)
tbadge-options = Who can give it
tbadge-peer-nominable = Students may nominate classmates for it
tbadge-repeatable = A student can earn it more than once
tbadge-moderation = Nominations
tbadge-moderation-required = A teacher approves each nomination
tbadge-moderation-auto = Award nominations at once
tbadge-scope = Available to
tbadge-scope-school = The whole school
tbadge-scope-classes = Only these classes:
tbadge-image = Image (PNG or SVG)
tbadge-image-help = At most 512 KB; PNG at most 2048 × 2048 pixels; SVG without scripts or links to other sites. When editing, leave empty to keep the current image.
tbadge-image-needed = Choose an image for the badge.
tbadge-image-invalid = This image can't be used: { $detail }.
tbadge-image-too-large = This file is too large. Choose an image of at most 512 KB.
tbadge-image-failed = The image could not be saved. Please try again.
tbadge-error-days = Write a whole number of days, or leave it empty.
tbadge-preview = Preview
tbadge-create = Create badge
tbadge-save = Save changes
tbadge-saved = Saved.
tbadge-archive = Archive (no new awards)
tbadge-restore = Restore

## Direct awards
taward-title = Award a badge
taward-no-badges = There are no badges to award yet.
taward-badge = Badge
taward-badge-choose = Choose a badge
taward-whole-class = Whole class (optional)
taward-whole-class-none = No whole class
taward-students = Students
taward-students-help = Tick students, choose a whole class above, or both.
taward-narrative = Why (optional, the student sees it)
taward-detail-narrative = Why
taward-evidence = Evidence web page (optional)
taward-submit = Award
taward-error-badge = Choose a badge that is not archived.
taward-error-class = Choose one of the classes in the list.
taward-error-recipients = Tick at least one student or choose a whole class.
taward-error-already-held = This student already has this badge.
taward-error-not-in-scope = This student can't get this badge: it is for other classes.
taward-done-title = Badges awarded
taward-done-count = { $count ->
    [0] No new badges were awarded.
    [one] 1 badge awarded.
   *[other] { $count } badges awarded.
  }
taward-row = { $badge } to { $recipient }
taward-skipped-title = Left out
taward-skipped-row = { $name }: { $why }
taward-skipped-already-held = already has this badge
taward-skipped-not-in-scope = the badge is for other classes
taward-skipped-not-found = not an active student
taward-again = Award another
tawards-title = Awards
tawards-mine = Awards you gave.
tawards-show-school = Show the whole school's
tawards-whole-school = All awards of the school.
tawards-empty = No awards yet.
tawards-back = All awards
tawards-col-badge = Badge
tawards-col-student = Student
tawards-col-date = Awarded
tawards-col-status = Status
taward-status-valid = Valid
taward-status-revoked = Revoked
taward-status-expired = Expired
taward-expires = Expires
taward-revocation-reason = Why it was revoked
taward-source = How
taward-source-nomination = Nominated by a classmate
taward-source-direct = Awarded by a teacher
taward-source-claim = Claimed with a code
taward-assertion = Open Badges
taward-assertion-link = Hosted assertion (JSON)
taward-revoke-title = Revoke this award
taward-revoke-help = The badge stops being valid everywhere it was shared. The reason is published with it.
taward-revoke-reason = Reason
taward-revoke-reason-needed = Write why you revoke it.
taward-revoke = Revoke
taward-revoked-notice = Revoked. The badge is no longer valid.
taward-already-revoked = This award was already revoked.

## Claim codes
tcodes-title = Claim codes
tcodes-new = New claim code
tcodes-back = All claim codes
tcodes-empty = No claim codes yet.
tcodes-col-title = Title
tcodes-col-window = Open
tcodes-col-claims = Claimed
tcodes-window = { $starts } – { $ends }
tcode-status-active = Open
tcode-status-paused = Paused
tcode-status-closed = Closed
tcode-new-title = New claim code
tcode-title-label = Title students see (e.g. the event)
tcode-window-help = Times are in the school's time zone ({ $tz }). Leave the start empty to open now.
tcode-starts = Opens (optional)
tcode-ends = Closes
tcode-error-ends = Choose when the code closes.
tcode-error-number = Write a whole number.
tcode-mode = Kind
tcode-mode-rotating = A QR code on the projector that changes every few seconds
tcode-mode-static = One QR code that does not change (for a poster)
tcode-mode-sheet = A printed sheet of single-use codes
tcode-rotation = Seconds between QR changes (rotating codes)
tcode-max-claims = Most claims (optional)
tcode-sheet-size = Number of single-use codes (sheets)
tcode-allow-repeat = A student may claim it again (repeatable badges only)
tcode-audience = Who can claim
tcode-audience-help = Tick classes, or none for the whole school.
tcode-audience-school = The whole school
tcode-audience-classes = { $count ->
    [one] 1 class
   *[other] { $count } classes
  }
tcode-create = Create claim code
tcode-claims-of = { $count } of { $max }
tcode-present = Show on the projector
tcode-print-sheet = Print the sheet
tcode-pause = Pause
tcode-resume = Resume
tcode-close = Close for good
tcode-changed-meanwhile = The code changed meanwhile: here it is now.
tcode-claimers = Who claimed
tcode-no-claimers = Nobody has claimed yet.

## Classes
tclasses-title = My classes
tclasses-back = All my classes
tclasses-empty = You don't teach any class yet. An admin adds you to classes.
tclasses-counts = { $students ->
    [one] 1 student
   *[other] { $students } students
  } · { $teachers ->
    [one] 1 teacher
   *[other] { $teachers } teachers
  }
tclasses-no-students = No students.
tclass-award = Award the class
tclass-queue = Its nominations
tclass-teachers = Teachers:
tclass-students = { $count ->
    [one] 1 student
   *[other] { $count } students
  }
tclass-inactive = inactive
tclass-cards-title = Sign-in cards
tclass-cards-help = Prints a new card for every student, to sign in without an e-mail. Their older unused cards stop working.
tclass-cards-print = Print new sign-in cards

## Projector page (/present/{id})
present-qr-label = QR code
present-qr-alt = QR code to claim the badge { $badge }
present-no-camera = No camera? Go to { $address } and type
present-time-left = Time left
present-claimed = Claimed
present-latest = Latest
present-left-days = { $days } days
present-left-day-hours = 1 day { $hours } h
present-status-paused = Paused: claims are on hold
present-status-closed = Closed: this code no longer works
present-status-opens = Opens { $time } ({ $tz })
present-sheet-heading = Sheet codes have no projector page
present-sheet-text = Each card of a sheet has its own QR code: print the sheet and hand out the cards.
present-back = Back
queue-error-summary = That decision was not saved.
queue-error-summary-link = Go to the nomination to fix it.
