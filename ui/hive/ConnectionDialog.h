#pragma once

#include "ConnectionSettings.h"

#include <QDialog>
#include <QMap>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QRadioButton;

// Where to sync from: Electric directly (URL + optional API secret) or the hive's proxy (URL +
// bearer token), and which shapes. The secret field is a password field; storing it is the
// caller's job (SecretStore), so the dialog itself never persists anything.
class ConnectionDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectionDialog(const ConnectionSettings &initial, QWidget *parent = nullptr);

    ConnectionSettings settings() const;
    bool rememberSecret() const;

    // For tests: the widgets a user types into.
    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *secretEdit() const { return m_secret; }
    QRadioButton *proxyButton() const { return m_proxy; }
    QCheckBox *shapeBox(const QString &shape) const { return m_shapes.value(shape); }
    QString problem() const;

private:
    void updateForm();

    QRadioButton *m_electric;
    QRadioButton *m_proxy;
    QLineEdit *m_url;
    QLabel *m_secretLabel;
    QLineEdit *m_secret;
    QCheckBox *m_remember;
    QMap<QString, QCheckBox *> m_shapes;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};
