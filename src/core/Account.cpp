#include "Account.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

#include <array>

QJsonObject Account::toJson() const
{
    return QJsonObject{
        {QStringLiteral("home_account_id"), homeAccountId},
        {QStringLiteral("username"), username},
        {QStringLiteral("name"), name},
        {QStringLiteral("tenant_id"), tenantId},
        {QStringLiteral("object_id"), objectId},
        {QStringLiteral("wids"), QJsonArray::fromStringList(roleTemplateIds)},
    };
}

Account Account::fromJson(const QJsonObject& json)
{
    Account account;
    account.homeAccountId = json.value(QLatin1String("home_account_id")).toString();
    account.username = json.value(QLatin1String("username")).toString();
    account.name = json.value(QLatin1String("name")).toString();
    account.tenantId = json.value(QLatin1String("tenant_id")).toString();
    account.objectId = json.value(QLatin1String("object_id")).toString();
    const QJsonArray wids = json.value(QLatin1String("wids")).toArray();
    for (const QJsonValue& value : wids) {
        account.roleTemplateIds.append(value.toString());
    }
    return account;
}

QJsonObject jwtClaims(const QByteArray& jwt)
{
    const QList<QByteArray> parts = jwt.split('.');
    if (parts.size() != 3) {
        return {};
    }
    const auto decoded = QByteArray::fromBase64Encoding(parts.at(1), QByteArray::Base64UrlEncoding |
                                                                         QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        return {};
    }
    return QJsonDocument::fromJson(*decoded).object();
}

QStringList directoryRoleNames(const QStringList& roleTemplateIds)
{
    struct Role
    {
        const char* templateId;
        const char* name;
    };
    // Template ids are the same in every tenant (Microsoft Entra built-in roles reference).
    static constexpr std::array kRoles{
        Role{"62e90394-69f5-4237-9190-012177145e10", QT_TRANSLATE_NOOP("Roles", "Global Administrator")},
        Role{"7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
             QT_TRANSLATE_NOOP("Roles", "Privileged Authentication Administrator")},
        Role{"fe930be7-5e62-47db-91af-98c3a49a38b1", QT_TRANSLATE_NOOP("Roles", "User Administrator")},
        Role{"c4e39bd9-1100-46d3-8c65-fb160da0071f", QT_TRANSLATE_NOOP("Roles", "Authentication Administrator")},
        Role{"729827e3-9c14-49f7-bb1b-9608f156bbb8", QT_TRANSLATE_NOOP("Roles", "Helpdesk Administrator")},
        Role{"966707d0-3269-4727-9be2-8c3a10f19b9d", QT_TRANSLATE_NOOP("Roles", "Password Administrator")},
    };
    QStringList names;
    for (const auto& role : kRoles) {
        if (roleTemplateIds.contains(QLatin1String(role.templateId), Qt::CaseInsensitive)) {
            names.append(QCoreApplication::translate("Roles", role.name));
        }
    }
    return names;
}
