//! The class aggregate: classes and enrolments (memberships with a role).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use uuid::Uuid;

use crate::entities::{classes, enrollments, users};

pub use classes::Model as Class;
pub use enrollments::Model as Enrollment;

/// Inserts a class.
pub async fn create(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    title: String,
    class_code: Option<String>,
    sourced_id: Option<String>,
) -> Result<Class, DbErr> {
    let now = crate::now();
    classes::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(school_id),
        sourced_id: Set(sourced_id),
        title: Set(title),
        class_code: Set(class_code),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
}

/// Saves every field of `class` (sets `updated_at`).
pub async fn save(conn: &impl ConnectionTrait, class: Class) -> Result<Class, DbErr> {
    let mut am: classes::ActiveModel = class.into();
    am = am.reset_all();
    am.updated_at = Set(crate::now());
    am.update(conn).await
}

/// A class of `school_id` by id.
pub async fn by_id(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    id: Uuid,
) -> Result<Option<Class>, DbErr> {
    classes::Entity::find_by_id(id)
        .filter(classes::Column::SchoolId.eq(school_id))
        .one(conn)
        .await
}

/// Every class of a school (active and not), ordered by title.
pub async fn all_in_school(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
) -> Result<Vec<Class>, DbErr> {
    classes::Entity::find()
        .filter(classes::Column::SchoolId.eq(school_id))
        .order_by_asc(classes::Column::Title)
        .order_by_asc(classes::Column::Id)
        .all(conn)
        .await
}

/// Active classes the user is enrolled in (any role), ordered by title.
pub async fn for_user(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    user_id: Uuid,
) -> Result<Vec<Class>, DbErr> {
    let ids = enrollments::Entity::find()
        .select_only()
        .column(enrollments::Column::ClassId)
        .filter(enrollments::Column::UserId.eq(user_id))
        .filter(enrollments::Column::SchoolId.eq(school_id))
        .into_query();
    classes::Entity::find()
        .filter(classes::Column::SchoolId.eq(school_id))
        .filter(classes::Column::Active.eq(true))
        .filter(classes::Column::Id.in_subquery(ids))
        .order_by_asc(classes::Column::Title)
        .all(conn)
        .await
}

/// The user's enrolment in a class, if any.
pub async fn enrollment(
    conn: &impl ConnectionTrait,
    class_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Enrollment>, DbErr> {
    enrollments::Entity::find()
        .filter(enrollments::Column::ClassId.eq(class_id))
        .filter(enrollments::Column::UserId.eq(user_id))
        .one(conn)
        .await
}

/// Every enrolment of a school (for imports).
pub async fn enrollments_in_school(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
) -> Result<Vec<Enrollment>, DbErr> {
    enrollments::Entity::find()
        .filter(enrollments::Column::SchoolId.eq(school_id))
        .all(conn)
        .await
}

/// Adds a membership; on an existing one the role is updated. Returns true when created.
pub async fn enroll(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    class_id: Uuid,
    user_id: Uuid,
    role: &str,
    sourced_id: Option<String>,
) -> Result<bool, DbErr> {
    if let Some(existing) = enrollment(conn, class_id, user_id).await? {
        if existing.role != role || (sourced_id.is_some() && existing.sourced_id != sourced_id) {
            let mut am: enrollments::ActiveModel = existing.into();
            am.role = Set(role.to_owned());
            if sourced_id.is_some() {
                am.sourced_id = Set(sourced_id);
            }
            am.update(conn).await?;
        }
        return Ok(false);
    }
    enrollments::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(school_id),
        class_id: Set(class_id),
        user_id: Set(user_id),
        role: Set(role.to_owned()),
        sourced_id: Set(sourced_id),
        created_at: Set(crate::now()),
    }
    .insert(conn)
    .await?;
    Ok(true)
}

/// Removes one membership. Returns true when one existed.
pub async fn unenroll(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    class_id: Uuid,
    user_id: Uuid,
) -> Result<bool, DbErr> {
    let res = enrollments::Entity::delete_many()
        .filter(enrollments::Column::SchoolId.eq(school_id))
        .filter(enrollments::Column::ClassId.eq(class_id))
        .filter(enrollments::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}

/// Removes every membership of a user (deactivation).
pub async fn unenroll_all(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DbErr> {
    let res = enrollments::Entity::delete_many()
        .filter(enrollments::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

/// Members of a class with their enrolment role, active users only, ordered by display name.
pub async fn members(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    class_id: Uuid,
) -> Result<Vec<(users::Model, String)>, DbErr> {
    let rows = enrollments::Entity::find()
        .filter(enrollments::Column::SchoolId.eq(school_id))
        .filter(enrollments::Column::ClassId.eq(class_id))
        .find_also_related(users::Entity)
        .all(conn)
        .await?;
    let mut out: Vec<(users::Model, String)> = rows
        .into_iter()
        .filter_map(|(e, u)| u.map(|u| (u, e.role)))
        .filter(|(u, _)| u.active && u.school_id == school_id)
        .collect();
    out.sort_by(|a, b| {
        a.0.display_name
            .cmp(&b.0.display_name)
            .then(a.0.id.cmp(&b.0.id))
    });
    Ok(out)
}

/// `(students, teachers)` counts for a class.
pub async fn member_counts(
    conn: &impl ConnectionTrait,
    class_id: Uuid,
) -> Result<(u64, u64), DbErr> {
    let students = enrollments::Entity::find()
        .filter(enrollments::Column::ClassId.eq(class_id))
        .filter(enrollments::Column::Role.eq("student"))
        .count(conn)
        .await?;
    let teachers = enrollments::Entity::find()
        .filter(enrollments::Column::ClassId.eq(class_id))
        .filter(enrollments::Column::Role.eq("teacher"))
        .count(conn)
        .await?;
    Ok((students, teachers))
}

/// True when `a` and `b` are both enrolled in at least one common active class.
pub async fn share_a_class(conn: &impl ConnectionTrait, a: Uuid, b: Uuid) -> Result<bool, DbErr> {
    let a_classes = enrollments::Entity::find()
        .select_only()
        .column(enrollments::Column::ClassId)
        .filter(enrollments::Column::UserId.eq(a))
        .into_query();
    Ok(enrollments::Entity::find()
        .filter(enrollments::Column::UserId.eq(b))
        .filter(enrollments::Column::ClassId.in_subquery(a_classes))
        .count(conn)
        .await?
        > 0)
}

/// True when `teacher_id` teaches (is enrolled as teacher in) a class that `student_id` is in.
pub async fn teaches_student(
    conn: &impl ConnectionTrait,
    teacher_id: Uuid,
    student_id: Uuid,
) -> Result<bool, DbErr> {
    let taught = enrollments::Entity::find()
        .select_only()
        .column(enrollments::Column::ClassId)
        .filter(enrollments::Column::UserId.eq(teacher_id))
        .filter(enrollments::Column::Role.eq("teacher"))
        .into_query();
    Ok(enrollments::Entity::find()
        .filter(enrollments::Column::UserId.eq(student_id))
        .filter(enrollments::Column::ClassId.in_subquery(taught))
        .count(conn)
        .await?
        > 0)
}
