# Admin pages (/admin…): overview, roster import, users, classes, settings, audit log.
admin-nav-overview = Overview
admin-go-home = Go to my home page
admin-try-again = Try again

admin-forbidden-heading = Only for school admins
admin-forbidden-text = This page is for your school's administrators. Ask an admin if you need something changed.
admin-not-found-heading = Not found
admin-not-found-text = We couldn't find that in your school. It may have been removed.
admin-failed-heading = That didn't work
admin-failed-text = Something went wrong on our side. Please try again.
admin-conflict-text = Nothing was changed: { $reason }.
admin-form-expired-text = The page was open too long or came from somewhere else. Nothing was changed. Please try again.

admin-role-student = Student
admin-role-teacher = Teacher
admin-role-admin = Admin

admin-pager-label = Pages
admin-pager-prev = Previous page
admin-pager-next = Next page

admin-overview-title = School admin
admin-overview-heading = { $school }
admin-overview-students = Students
admin-overview-teachers = Teachers
admin-overview-admins = Admins
admin-overview-classes = Classes
admin-overview-inactive = Deactivated accounts
admin-overview-settings-heading = Settings
admin-overview-timezone = Time zone: { $tz }
admin-overview-allowance = { $count ->
    [one] Students may nominate classmates once a week.
   *[other] Students may nominate classmates { $count } times a week.
}
admin-overview-sharing-on = Students may share their badges publicly.
admin-overview-sharing-off = Students may not share their badges publicly.
admin-overview-import = Import a roster
admin-overview-edit-settings = Change settings
admin-overview-teacher-pages = Teacher pages

admin-roster-title = Import roster
admin-roster-report-title = Import report
admin-roster-heading = Import a roster
admin-roster-intro = Upload your school's OneRoster 1.1 export (a .zip file) or a class list (a .csv file with the columns name, email, class). People and classes are matched to the ones already here, so you can upload a new export at any time.
admin-roster-file-label = Roster file (.zip or .csv)
admin-roster-file-help = At most { $max }.
admin-roster-submit = Upload and import
admin-roster-error-no-file = Choose a file to upload.
admin-roster-error-unreadable = The upload could not be read. Please choose the file again.
admin-roster-error-too-large = This file is too large: the limit is { $max }. Nothing was imported.
admin-roster-error-rejected = This file could not be imported, so nothing was changed: { $reason }.
admin-roster-report-heading = Import finished
admin-roster-report-caption = What the import created, changed and left alone
admin-roster-col-kind = Records
admin-roster-col-created = Created
admin-roster-col-updated = Updated
admin-roster-col-skipped = Skipped
admin-roster-kind-users = People
admin-roster-kind-classes = Classes
admin-roster-kind-enrollments = Class memberships
admin-roster-updated-help = "Updated" includes people deactivated because the export removed them. "Skipped" rows were unchanged, removed, or could not be imported (listed below).
admin-roster-problems-heading = { $count ->
    [one] One row could not be imported
   *[other] { $count } rows could not be imported
}
admin-roster-col-file = File
admin-roster-col-line = Line
admin-roster-col-reason = Problem
admin-roster-no-problems = Every row was imported.
admin-roster-ignored = Files not used by Accolade: { $files }

admin-users-title = Users
admin-users-heading = Users
admin-users-filter-label = Find users
admin-users-search-label = Name, handle or e-mail
admin-users-role-label = Role
admin-users-role-all = All roles
admin-users-class-label = Class
admin-users-class-all = All classes
admin-users-inactive-label = Include deactivated accounts
admin-users-filter-submit = Show
admin-users-caption = Users of the school
admin-users-col-name = Name
admin-users-col-role = Role
admin-users-col-login = Handle and e-mail
admin-users-col-status = Status
admin-users-col-action = Actions
admin-users-active = Active
admin-users-deactivated = Deactivated
admin-users-deactivate = Deactivate
admin-users-reactivate = Reactivate
admin-users-deactivate-named = Deactivate { $name }
admin-users-reactivate-named = Reactivate { $name }
admin-users-none = Nobody matches these filters.

admin-classes-title = Classes
admin-classes-heading = Classes
admin-classes-caption = Active classes of the school
admin-classes-col-title = Class
admin-classes-col-code = Code
admin-classes-col-students = Students
admin-classes-col-teachers = Teachers
admin-classes-none = There are no classes yet. Import a roster to add them.
admin-class-back = All classes
admin-class-teachers = { $count ->
    [one] One teacher
   *[other] { $count } teachers
}
admin-class-students = { $count ->
    [one] One student
   *[other] { $count } students
}
admin-class-no-teachers = No teachers in this class.
admin-class-no-students = No students in this class.
admin-class-manage-users = Manage these people
admin-class-teacher-view = Teacher view

admin-settings-title = School settings
admin-settings-heading = School settings
admin-settings-saved = Settings saved.
admin-settings-has-errors = Some settings need fixing. Nothing was saved yet.
admin-settings-timezone-label = Time zone
admin-settings-timezone-help = Dates and weekly allowances follow this time zone.
admin-settings-allowance-label = Nominations per student each week
admin-settings-allowance-help = A whole number from 0 to 100. 0 turns peer nominations off.
admin-settings-sharing-label = Allow students to share their badges publicly
admin-settings-sharing-help = Students still choose for themselves; everything is private until they do.
admin-settings-sender-label = E-mail sender address
admin-settings-sender-help = E-mails to students and teachers come from this address. Leave it empty for the server's default.
admin-settings-submit = Save settings
admin-settings-error-timezone = Choose a time zone from the list, such as Europe/London.
admin-settings-error-allowance = Enter a whole number from 0 to 100.
admin-settings-error-sender = Enter an e-mail address such as badges@school.example.org, or leave it empty.

admin-audit-title = Audit log
admin-audit-heading = Audit log
admin-audit-intro = Every change to people, classes, badges and settings, newest first. Times are in { $tz }.
admin-audit-filter-label = Filter the audit log
admin-audit-action-label = Action starts with
admin-audit-action-help = For example user. or roster.import
admin-audit-filter-submit = Filter
admin-audit-caption = Audit log entries
admin-audit-col-when = When
admin-audit-col-who = Who
admin-audit-col-action = Action
admin-audit-col-target = What
admin-audit-system = System
admin-audit-none = No entries.
