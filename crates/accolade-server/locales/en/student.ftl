# The student's pages: badges, nominations.
student-badges-title = My badges
student-badges-count = { $count ->
    [one] One badge
   *[other] { $count } badges
}
student-badges-empty = No badges yet. Claim one with a code from your teacher, or nominate a classmate.
student-badges-claim = Type a claim code
student-badges-nominate = Nominate a classmate
student-badge-hidden-pill = Hidden
student-badge-back = My badges
student-badge-revoked-reason = Your school revoked this badge: { $reason }
student-badge-issuer = Issued by
student-badge-issued = Date
student-badge-expires = Expires
student-badge-criteria = How to earn it
student-badge-criteria-link = Read the criteria
student-badge-narrative = Why you got it
student-badge-download = Download
student-badge-download-help = The image files carry the badge inside them (Open Badges), so you can add them to another backpack.
student-badge-download-png = Download PNG
student-badge-download-svg = Download SVG
student-badge-public-page = Public page
student-badge-visibility = Who sees it
student-badge-shown-help = This badge shows on your profile.
student-badge-hidden-help = This badge is hidden from your profile. Its public page still shows the badge is real, without your name.
student-badge-hide = Hide from my profile
student-badge-show = Show on my profile
student-allowance-remaining = { $count ->
    [0] You have no nominations left this week.
    [one] You can nominate one more classmate this week.
   *[other] You can nominate { $count } more classmates this week.
}
student-allowance-resets = New ones from { $date }.
student-nominate-title = Nominate a classmate
student-nominate-step-class = 1. Class
student-nominate-step-details = 2. Classmate, badge and why
student-nominate-class = Which class?
student-nominate-next = Next
student-nominate-in-class = Class: { $class }
student-nominate-no-class = You're not in any class yet, so there is nobody to nominate.
student-nominate-no-classmates = There are no classmates to nominate in this class.
student-nominate-no-badges = No badges in this class are open to nominations yet.
student-nominate-classmate = Classmate
student-nominate-badge = Badge
student-nominate-choose = Choose…
student-nominate-narrative = Why do they deserve it?
student-nominate-narrative-help = Say what they did, in your own words (at most { $max } characters). Your teacher reads it.
student-nominate-submit = Send the nomination
student-nominate-pick-classmate = Choose a classmate from the list.
student-nominate-pick-badge = Choose a badge from the list.
student-nominate-self = You can't nominate yourself. Choose a classmate.
student-nominate-already-held = Your classmate already has this badge. Choose another badge.
student-error-not-classmate = You can only nominate classmates in a class where this badge is available.
student-error-decided = Already decided
student-error-decided-text = Your teacher has already decided on this nomination, so it can't be changed.
student-nominations-title = My nominations
student-nominations-empty = You haven't nominated anyone yet.
student-nominations-sent = Nomination sent. You can follow it below.
student-nominations-revised = Nomination sent again. Your teacher will look at it.
student-nominations-for = for { $name }
student-nominations-in = In { $class }
student-nominations-reason = Your teacher said: { $reason }
student-nominations-revise = Revise and send again
student-nom-status-pending = Waiting for the teacher
student-nom-status-approved = Approved
student-nom-status-rejected = Not approved
student-nom-status-returned = Needs changes
student-nom-status-withdrawn = Withdrawn
student-revise-title = Revise your nomination
student-revise-submit = Send again
student-revise-not-returned = Only a nomination your teacher returned for changes can be revised.
